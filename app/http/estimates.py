"""What a comparison would cost before it is queued, for the JSON estimate and the comparison form.

The numbers are admission's own: the request goes through :func:`app.experiments.admission.prepare`
(every field check, the defaults, the device class) with the cost limits lifted, so the estimate is
exactly the one a submission is judged by, and a config over a limit is still priced: the form can say
"about 540 s; this server allows 300 s" instead of only refusing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.experiments import admission
from app.experiments.cost import Estimate

#: Stands in for "no limit" while pricing (finite: admission rounds the FLOP limit to an int).
_UNLIMITED = 1e300
MIB = 2**20


@dataclass(frozen=True)
class Refusal:
    """A cost limit the estimate is over: what, how much, the limit and the setting that holds it."""

    what: str  # "seconds", "peak_memory_bytes" or "flops"
    value: float
    limit: float
    setting: str

    @property
    def plain(self) -> str:
        """The refusal in the words a person reads beside the form."""
        if self.what == "seconds":
            return (f"This comparison would take about {self.value:.0f} s; this server allows {self.limit:.0f} s. "
                    "Use fewer steps, variants or seeds.")
        if self.what == "peak_memory_bytes":
            return (f"This comparison would need about {self.value / MIB:,.0f} MiB of memory; this server allows "
                    f"{self.limit / MIB:,.0f} MiB. Use a smaller batch, sequence length or model.")
        return (f"This comparison needs about {self.value:.2g} FLOPs of computation; this server allows "
                f"{self.limit:.2g}. Use fewer steps, variants or seeds.")

    @property
    def limit_line(self) -> str:
        """The setting and its value, for the small details line."""
        shown = f"{self.limit:.0f}" if self.what != "flops" else f"{self.limit:.3g}"
        return f"Limit: {self.setting} = {shown}"


@dataclass(frozen=True)
class Priced:
    """The estimate of one request on the device class it would run on, and the limits it breaks."""

    estimate: Estimate
    device_class: str
    refusals: tuple[Refusal, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals

    def to_dict(self, settings: Settings) -> dict[str, Any]:
        """The JSON body of ``GET /api/v1/comparisons/estimate`` (schema: ``ComparisonEstimate``)."""
        e = self.estimate
        return {
            "device_class": self.device_class,
            "seconds": e.seconds,
            "training_seconds": e.training_seconds,
            "evaluation_seconds": e.evaluation_seconds,
            "corpus_seconds": e.corpus_seconds,
            "compile_seconds": e.compile_seconds,
            "startup_seconds": e.startup_seconds,
            "peak_memory_bytes": int(e.peak_memory_bytes),
            "flops": e.flops,
            "limits": {
                "seconds": settings.compare_max_expected_seconds,
                "peak_memory_bytes": int(settings.compare_max_peak_memory_bytes),
                "flops": settings.compare_max_flops,
            },
            "allowed": self.allowed,
            "refusals": [{"limit": r.what, "message": r.plain, "setting": r.setting} for r in self.refusals],
        }


def price(raw: dict[str, Any], settings: Settings) -> Priced:
    """Price ``raw`` (a comparison request's fields) as admission would; a bad field raises admission's
    :class:`~app.domain.InvalidInputError` naming it, a cost over a limit is a :class:`Refusal`."""
    unlimited = settings.model_copy(update={
        "compare_max_expected_seconds": _UNLIMITED,
        "compare_max_peak_memory_bytes": _UNLIMITED,
        "compare_max_flops": _UNLIMITED,
    })
    prepared = admission.prepare(raw, unlimited)
    e = prepared.estimate
    checks = (
        ("seconds", e.seconds, settings.compare_max_expected_seconds, "ACTLAB_COMPARE_MAX_EXPECTED_SECONDS"),
        ("peak_memory_bytes", float(e.peak_memory_bytes), float(settings.compare_max_peak_memory_bytes),
         "ACTLAB_COMPARE_MAX_PEAK_MEMORY_BYTES"),
        ("flops", e.flops, settings.compare_max_flops, "ACTLAB_COMPARE_MAX_FLOPS"),
    )
    refusals = tuple(Refusal(what, value, limit, setting) for what, value, limit, setting in checks if value > limit)
    return Priced(estimate=e, device_class=prepared.device_class, refusals=refusals)
