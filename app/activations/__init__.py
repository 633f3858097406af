"""Activation functions and gates, and the numbers computed from them.

Everything the service says about an activation function comes from this package: the curves, their
first and second derivatives, the same curves in low-precision dtypes, the error of one function
against another, gate surfaces, and the properties (minimum, monotonicity, bounds, kinks, limits).
It is pure domain code: it knows nothing about HTTP and returns numpy ``float64`` arrays inside frozen
dataclasses, which the HTTP layer serializes with ``orjson.OPT_SERIALIZE_NUMPY`` (a 4 MB curve costs a
few milliseconds that way; turning the arrays into Python lists first costs 20 times more).

``functions`` holds the torch implementations, ``registry`` the entries and their lookup, ``evaluation``
autograd at given points, ``curves``, ``approximation``, ``surfaces``, ``properties``, ``precision`` and
``gelu_approximations`` what is computed from them, ``validation`` the request limits and ``lab`` the
per-application cache. The names below are re-exported so that callers can write ``activations.get``.
"""

from app.activations.approximation import ApproximationError, ErrorSpec, ErrorStats, compute_error
from app.activations.curves import Curve, CurveSpec, Series, compute_curve
from app.activations.errors import ActivationInputError, UnknownActivationError
from app.activations.evaluation import evaluate, scalar_values
from app.activations.functions import DTYPES, GELU_SIGMOID_SCALE, GELU_TANH_COEFF, FloatArray
from app.activations.gelu_approximations import (
    GELU_APPROXIMATIONS,
    GeluApproximationReport,
    gelu_approximation_report,
)
from app.activations.lab import ActivationLab
from app.activations.precision import DtypeAgreement, compare_in_dtype, spacing
from app.activations.properties import PROPERTY_WINDOW, Asymptote, Extremum, Jump, Properties, properties
from app.activations.registry import (
    GATE_IDS,
    REGISTRY,
    SCALAR_IDS,
    Activation,
    Family,
    Source,
    all_activations,
    get,
    scalar_names,
)
from app.activations.surfaces import Surface, SurfaceSpec, compute_surface
from app.activations.validation import make_curve_spec, make_error_spec, make_surface_spec

__all__ = [
    "DTYPES",
    "GATE_IDS",
    "GELU_APPROXIMATIONS",
    "GELU_SIGMOID_SCALE",
    "GELU_TANH_COEFF",
    "PROPERTY_WINDOW",
    "REGISTRY",
    "SCALAR_IDS",
    "Activation",
    "ActivationInputError",
    "ActivationLab",
    "ApproximationError",
    "Asymptote",
    "Curve",
    "CurveSpec",
    "DtypeAgreement",
    "ErrorSpec",
    "ErrorStats",
    "Extremum",
    "Family",
    "FloatArray",
    "GeluApproximationReport",
    "Jump",
    "Properties",
    "Series",
    "Source",
    "Surface",
    "SurfaceSpec",
    "UnknownActivationError",
    "all_activations",
    "compare_in_dtype",
    "compute_curve",
    "compute_error",
    "compute_surface",
    "evaluate",
    "gelu_approximation_report",
    "get",
    "make_curve_spec",
    "make_error_spec",
    "make_surface_spec",
    "properties",
    "scalar_names",
    "scalar_values",
    "spacing",
]
