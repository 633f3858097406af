"""Query parameters of curve requests, shared by the curve API and the explorer page (one set of limits
and descriptions in OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from app.activations.registry import scalar_names
from app.http.openapi import limit_from

SCALAR_NAMES = scalar_names()
FnQuery = Annotated[
    list[str],
    Query(
        description="Scalar activation id or alias; repeat for several (`fn=gelu&fn=gelu_tanh`).",
        min_length=1,
        max_length=64,
        json_schema_extra={
            "items": {"type": "string", "enum": SCALAR_NAMES},
            **limit_from(max_items="curve_max_functions"),
        },
    ),
]
XMinQuery = Annotated[
    float, Query(description="Left end of the x range.", json_schema_extra=limit_from(abs_bound="curve_max_abs_x"))
]
XMaxQuery = Annotated[
    float,
    Query(
        description="Right end of the x range (must exceed xmin).",
        json_schema_extra=limit_from(abs_bound="curve_max_abs_x"),
    ),
]
AbsBound = limit_from(abs_bound="curve_max_abs_x")
DerivativeQuery = Annotated[int, Query(ge=0, le=2, description="0 for f, 1 for f′, 2 for f″ (autograd).")]
DtypeQuery = Annotated[
    Literal["float64", "float32", "bfloat16", "float16"],
    Query(description="float64 (exact reference), float32, bfloat16 or float16."),
]
BetaQuery = Annotated[float, Query(description="Swish β (used by silu / swiglu only).")]
