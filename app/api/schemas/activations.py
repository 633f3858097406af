"""Response models of the activation routes: the registry, curves, approximation errors, gate surfaces
and the GELU report.

The routes return pre-serialized bytes (orjson straight from numpy), so these models only describe the
bodies in OpenAPI. orjson writes NaN and ±inf as null, hence ``float | None`` wherever a value can be one
of those (a float16 overflow, a relative error with no reference large enough to divide by). A field
typed ``X | Absent`` is left out of the body rather than set to null.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from app.api.schemas.catalog import CatalogModelOut, RankedResult
from app.api.schemas.common import Closed

Absent = SkipJsonSchema[None]
Family = Literal["scalar", "gate"]
Dtype = Literal["float64", "float32", "bfloat16", "float16"]


class IntroducedBy(Closed):
    """The paper that introduced a function."""

    title: str
    authors: str
    year: int
    arxiv: str | None
    venue: str | None
    note: str


class ActivationSummary(Closed):
    id: str
    name: str
    family: Family
    formula_latex: str
    introduced_by: IntroducedBy | None
    aliases: list[str]
    gate_activation: str | None
    url: str
    page: str


class ActivationList(Closed):
    items: list[ActivationSummary]
    total: int


class Extremum(Closed):
    value: float
    x: float
    kind: Literal["interior", "plateau", "boundary"]
    interval: tuple[float, float] | None


class Jump(Closed):
    x: float
    left: float
    right: float
    convention: float


class Asymptote(Closed):
    direction: Literal["-inf", "+inf"]
    kind: Literal["constant", "power"]
    limit: float | None
    coefficient: float | None
    power: int | None
    description: str


class Properties(Closed):
    """Computed on the property window, never typed in."""

    id: str
    window: tuple[float, float]
    grid_step: float
    minimum: Extremum
    maximum: Extremum
    monotonic: Literal["increasing", "non-decreasing", "decreasing", "non-increasing", "no"]
    bounded_below: bool
    infimum: float | None
    bounded_above: bool
    supremum: float | None
    first_derivative_continuous: bool
    first_derivative_jumps: list[Jump]
    value_at_0: float
    derivative_at_0: float
    derivative_at_0_by_convention: bool
    second_derivative_at_0: float
    second_derivative_at_0_by_convention: bool
    large_negative: Asymptote
    large_positive: Asymptote


class VariantResults(Closed):
    name: str
    gated: bool
    d_ff_paper: int
    formula_latex: str
    c4_log_perplexity: list[RankedResult]
    url: str
    page: str


class ActivationLinks(Closed):
    page: str
    curve: str
    surface: str | Absent = Field(None, description="Gates only.")


class ActivationDocument(Closed):
    id: str
    name: str
    family: Family
    formula_latex: str
    introduced_by: IntroducedBy | None
    origin_note: str
    aliases: list[str]
    gate_activation: str | None
    parameters: dict[str, float]
    nondifferentiable_points: list[float]
    second_derivative_undefined_at: list[float]
    torch_source: str
    float64_reference_source: str | None
    formula_mathml: str
    properties: Properties
    properties_of: str = Field(description="The scalar activation the properties are of (a gate's activation).")
    gates_built_on_it: list[str]
    models: list[CatalogModelOut]
    ffn_variants: list[VariantResults]
    ffn_variants_note: str
    links: ActivationLinks


class ErrorStats(Closed):
    """An error curve summarised; null where no point qualifies (see the route's description)."""

    max_abs_error: float | None
    argmax_abs_error: float | None
    worst_x: list[float]
    max_rel_error: float | None
    argmax_rel_error: float | None
    rel_error_floor: float
    rel_error_points_skipped: int
    rms_error: float | None
    nonfinite_points: int


class Series(Closed):
    fn: str
    y: list[float | None]
    by_convention_x: list[float]
    rounding_error: list[float | None] | Absent = Field(None, description="Low-precision dtypes only.")
    rounding: ErrorStats | Absent = Field(None, description="Low-precision dtypes only.")
    max_abs_total_error: float | None = Field(None, description="Low-precision dtypes only.")


class Curve(Closed):
    fn: list[str]
    xmin: float
    xmax: float
    points: int
    derivative: int
    dtype: Dtype
    beta: float
    x: list[float]
    x_rounded: list[float] | Absent = Field(None, description="Low-precision dtypes only: x rounded to the dtype.")
    series: list[Series]


class ApproximationErrorSummary(ErrorStats):
    fn: str
    reference: str
    xmin: float
    xmax: float
    points: int
    derivative: int
    beta: float
    error_at_argmax: float


class ApproximationError(ApproximationErrorSummary):
    x: list[float] | Absent = Field(None, description="With `curve=true` only.")
    error: list[float | None] | Absent = Field(None, description="With `curve=true` only.")


class Surface(Closed):
    gate: str
    amin: float
    amax: float
    bmin: float
    bmax: float
    points: int
    beta: float
    activation: str
    a: list[float]
    b: list[float]
    z: list[list[float]] = Field(description="z[j][i] = f(a[i]) · b[j].")
    z_min: float
    z_max: float


class PrecisionScale(Closed):
    dtype: str
    x: float
    gelu_value: float
    error: float
    half_step: float
    error_over_half_step: float


class DtypeAgreement(Closed):
    function: str
    reference: str
    dtype: str
    xmin: float
    xmax: float
    inputs: int
    identical: int
    within_one_ulp: int
    max_abs_difference: float
    argmax_abs_difference: float | None
    identical_fraction: float


class GeluApproximation(ApproximationErrorSummary):
    error_at_window_edges: tuple[float, float]
    precision_scales: list[PrecisionScale]
    agreement_in_16_bit_dtypes: list[DtypeAgreement]


class GeluApproximationReport(Closed):
    xmin: float
    xmax: float
    points: int
    approximations: list[GeluApproximation]
    gelu_bfloat16_rounding: ErrorStats
