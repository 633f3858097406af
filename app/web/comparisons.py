"""Comparison pages: the form and job list, the live view, the finished result.

The pages read the same ``job_view`` as the JSON API. Without JavaScript the live page refreshes
itself (a ``<noscript>`` meta refresh) and shows the curves so far as a server-drawn SVG; with
JavaScript (static/comparisons.js) it follows the job's Server-Sent Events and grows the curves in
place. Finished results are drawn once per job with matplotlib (curves with ±std bands over seeds,
final-loss bars with error bars) and cached: a finished job never changes.

The Cancel button is the submitter's: submitting the form stores the job's one-time cancel token in a
cookie scoped to that job's pages (``Path=/comparisons/<id>``, HttpOnly, SameSite=Strict, Secure over
HTTPS), which the button's POST sends back; the page shows the button only to the holder of that cookie.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app import ffn
from app.api.comparisons import ComparisonIn, cancel_job, job_view, submit
from app.domain import InvalidInputError
from app.http.deps import SessionDep, SettingsDep
from app.http.problems import ProblemError, problem_responses
from app.jobs import queue
from app.orm.jobs import FINISHED_STATUSES
from app.plots import svg as plots
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
SEE_OTHER: dict[int | str, dict[str, Any]] = {303: {"description": "See the job's page."}}
#: The cookie holding a job's cancel token, scoped to that job's pages.
CANCEL_COOKIE = "actlab_cancel_token"
CANCEL_COOKIE_MAX_AGE = 30 * 24 * 3600

#: What the form shows before the user changes anything (the quality comparison's defaults).
FORM_DEFAULTS = {
    "kind": "quality",
    "d_model": 64,
    "n_layers": 2,
    "n_heads": 4,
    "seq_len": 32,
    "batch_size": 32,
    "steps": 500,
    "lr": 0.003,
    "seeds": 3,
    "corpus_seed": 0,
    "tokens": 2048,
    "speed_d_model": 256,
}


@router.get("/comparisons", responses=HTML)
def comparisons_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    jobs, total = queue.list_jobs(session, settings.page_size_default, 0)
    return HTMLResponse(
        render(
            request,
            "comparisons.html",
            {
                "jobs": [job_view(session, j, results=False) for j in jobs],
                "total": total,
                "variants": list(ffn.VARIANTS.values()),
                "paper_variants": ffn.PAPER_VARIANTS,
                "defaults": FORM_DEFAULTS,
                "corpus_max_bytes": settings.compare_corpus_max_bytes,
            },
        )
    )


@router.post("/comparisons", responses=SEE_OTHER | problem_responses(413, 422, 429))
async def submit_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form's POST (urlencoded or multipart with a text file) -> 303 to the job's page."""
    form = await request.form()
    raw = await _raw_from_form(form, settings.compare_corpus_max_bytes)
    try:
        body = ComparisonIn.model_validate(raw)
    except ValidationError as exc:  # the same 422 problem as the JSON API's
        raise RequestValidationError(exc.errors()) from exc
    submission = await run_in_threadpool(submit, session, settings, body.to_raw())
    page = f"/comparisons/{submission.job.id}"
    response = RedirectResponse(page, status_code=303)
    if submission.cancel_token is not None:
        response.set_cookie(
            CANCEL_COOKIE,
            submission.cancel_token,
            max_age=CANCEL_COOKIE_MAX_AGE,
            path=page,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


async def _raw_from_form(form: Any, max_bytes: int) -> dict[str, Any]:
    def number(name: str, cast: type = int) -> Any:
        value = str(form.get(name) or "").strip()
        if not value:
            return None
        try:
            return cast(value)
        except ValueError:
            raise InvalidInputError(name, f"'{value}' is not a number") from None

    kind = str(form.get("kind") or "quality")
    raw: dict[str, Any] = {
        "kind": kind,
        "device": str(form.get("device") or "auto"),
        "matched": form.get("matched") is not None,
    }
    variants = [str(v) for v in form.getlist("variants")]
    if variants:
        raw["variants"] = variants
    if kind == "speed":
        raw.update(d_model=number("speed_d_model"), tokens=number("tokens"))
        return {k: v for k, v in raw.items() if v is not None}
    raw.update(
        d_model=number("d_model"),
        n_layers=number("n_layers"),
        n_heads=number("n_heads"),
        seq_len=number("seq_len"),
        batch_size=number("batch_size"),
        steps=number("steps"),
        lr=number("lr", float),
        seeds=number("seeds"),
    )
    upload = form.get("corpus_file")
    text = str(form.get("corpus_text") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidInputError(
                "corpus_file",
                f"over the limit of {max_bytes} bytes (ACTLAB_COMPARE_CORPUS_MAX_BYTES)",
                max_bytes,
                status=413,
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError("corpus_file", "is not UTF-8 text") from None
    if text.strip():
        raw["corpus"] = {"kind": "text", "text": text}
    else:
        raw["corpus"] = {"kind": "synthetic", "seed": number("corpus_seed") or 0}
    return {k: v for k, v in raw.items() if v is not None}


@router.get("/comparisons/{job_id}", responses=HTML | problem_responses(404, 422))
def comparison_page(request: Request, session: SessionDep, job_id: Annotated[str, Path(max_length=64)]) -> Response:
    try:
        job = queue.get_job(session, job_id)
    except queue.JobNotFoundError as exc:
        raise ProblemError(404, str(exc)) from exc
    view = job_view(session, job)
    token = request.cookies.get(CANCEL_COOKIE)
    view["can_cancel"] = token is not None and queue.owns(job, token)
    results = view["results"]
    charts_data: dict[str, str | None]
    if job.status == "succeeded" and results and results["kind"] == "quality":
        charts_data = dict(result_charts(job.id, results))
    elif job.status not in FINISHED_STATUSES and job.kind == "quality":
        charts_data = {"live": live_chart(session, job.id)}
    else:
        charts_data = {}
    return HTMLResponse(
        render(
            request,
            "comparison.html",
            {
                "job": view,
                "results": results,
                "charts": charts_data,
                "finished": job.status in FINISHED_STATUSES,
                "config_json": json.dumps(job.config, indent=2),
                "request_json": json.dumps(reproduce_request(job.config), indent=2),
            },
        )
    )


def reproduce_request(config: dict[str, Any]) -> dict[str, Any]:
    """The POST body that reproduces a stored config (execution-only fields left out)."""
    out = {k: v for k, v in config.items() if k not in ("threads", "workers")}
    corpus = out.get("corpus")
    if isinstance(corpus, dict) and corpus.get("kind") == "synthetic":
        out["corpus"] = {k: corpus[k] for k in ("kind", "seed", "vocab_size", "bigram_fraction", "concentration")}
    elif isinstance(corpus, dict):
        out["corpus"] = {
            "kind": "text",
            "text": f"<your text; sha256 {corpus.get('sha256', '?')}>",
            "val_fraction": corpus.get("val_fraction", 0.1),
        }
    for key in ("eval_interval", "eval_windows", "final_eval_windows", "alpha", "seed"):
        out.pop(key, None)
    return out


# --- charts ---------------------------------------------------------------------------------------


_CHARTS: dict[str, dict[str, str]] = {}


def result_charts(job_id: str, results: dict[str, Any]) -> dict[str, str]:
    """Charts of a finished quality job, drawn once per job and process (a finished job never changes)."""
    charts = _CHARTS.get(job_id)
    if charts is None:
        charts = {"curves": loss_curves_svg(results), "bars": final_loss_bars_svg(results)}
        if len(_CHARTS) >= 64:
            _CHARTS.pop(next(iter(_CHARTS)))
        _CHARTS[job_id] = charts
    return charts


def _color(i: int) -> str:
    return plots.PALETTE[i % len(plots.PALETTE)]


def _reference_lines(ax: Any, reference: dict[str, float]) -> None:
    labels = {"optimal_loss": "optimal (entropy rate)", "bigram_loss": "bigram", "unigram_loss": "unigram"}
    for key, label in labels.items():
        if key in reference:
            ax.axhline(reference[key], color="#555", linestyle=":", linewidth=1)
            ax.annotate(
                f"{label} {reference[key]:.3f}",
                (1.0, reference[key]),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=7,
                color="#555",
            )


def loss_curves_svg(results: dict[str, Any]) -> str:
    """Validation (left) and training (right) loss per variant: mean over seeds with a ±1 std band."""
    import matplotlib.pyplot as plt

    with plots._render_lock:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for i, v in enumerate(results["variants"]):
            for ax, key in ((axes[0], "val_loss"), (axes[1], "train_loss")):
                curve = v[key]
                steps, mean, std = np.array(curve["steps"]), np.array(curve["mean"]), np.array(curve["std"])
                if key == "train_loss" and len(mean) > 20:  # a moving average keeps 8 noisy lines readable
                    k = max(1, len(mean) // 50)
                    kernel = np.ones(k) / k
                    mean, std = np.convolve(mean, kernel, "valid"), np.convolve(std, kernel, "valid")
                    steps = steps[k - 1 :]
                ax.plot(
                    steps,
                    mean,
                    color=_color(i),
                    linewidth=1.4,
                    label=v["variant"],
                    linestyle="-" if v["gated"] else "--",
                )
                ax.fill_between(steps, mean - std, mean + std, color=_color(i), alpha=0.18, linewidth=0)
        reference = results["corpus"]["reference"]
        for ax, title in ((axes[0], "validation loss (fixed set)"), (axes[1], "training loss (moving average)")):
            _reference_lines(ax, reference)
            ax.set_xlabel("step")
            ax.set_ylabel("nats per token")
            ax.set_title(title, fontsize=10)
            finals = [v["final_val_loss"]["mean"] for v in results["variants"]]
            low = min([*finals, reference.get("optimal_loss", min(finals))])
            ax.set_ylim(low - 0.05, max(finals) + 0.6)
        axes[0].legend(fontsize=8, ncol=2)
        fig.suptitle("Loss per variant: mean over seeds, band = ±1 std (solid: gated, dashed: dense)", fontsize=11)
        fig.tight_layout()
        return plots.figure_to_svg(fig, "Loss curves per variant")


def final_loss_bars_svg(results: dict[str, Any]) -> str:
    """Final validation loss per variant: mean over seeds, error bar = ±1 std."""
    import matplotlib.pyplot as plt

    variants = results["variants"]
    with plots._render_lock:
        fig, ax = plt.subplots(figsize=(8, 3.6))
        names = [v["variant"] for v in variants]
        means = [v["final_val_loss"]["mean"] for v in variants]
        stds = [v["final_val_loss"]["std"] for v in variants]
        colors = [plots.PALETTE[0] if v["gated"] else plots.PALETTE[7] for v in variants]
        ax.bar(names, means, yerr=stds, capsize=4, color=colors)
        for i, v in enumerate(variants):
            ax.scatter(
                [i] * len(v["final_val_loss"]["values"]), v["final_val_loss"]["values"], s=8, color="#222", zorder=3
            )
        low, high = (
            min(m - s for m, s in zip(means, stds, strict=True)),
            max(m + s for m, s in zip(means, stds, strict=True)),
        )
        pad = (high - low) * 0.5 + 0.005
        ax.set_ylim(low - pad, high + pad)
        ax.set_ylabel("final validation loss (nats)")
        ax.tick_params(axis="x", rotation=30)
        ax.set_title(
            "Final validation loss: mean ± std over seeds, dots = seeds (blue: gated, grey: dense)", fontsize=10
        )
        fig.tight_layout()
        return plots.figure_to_svg(fig, "Final validation loss per variant")


def live_chart(session: Session, job_id: str) -> str | None:
    """The training curves so far (mean over the seeds reported), for the page without JavaScript."""
    import matplotlib.pyplot as plt

    curves: dict[str, dict[int, list[float]]] = {}
    for event in queue.events_after(session, job_id, 0, limit=100_000):
        if event.type != "progress":
            continue
        for p in event.data.get("points", []):
            curves.setdefault(p["variant"], {}).setdefault(int(p["step"]), []).append(float(p["train_loss"]))
    if not curves:
        return None
    with plots._render_lock:
        fig, ax = plt.subplots(figsize=(8, 3.4))
        for i, (name, by_step) in enumerate(curves.items()):
            steps = sorted(by_step)
            ax.plot(steps, [float(np.mean(by_step[s])) for s in steps], color=_color(i), linewidth=1.2, label=name)
        ax.set_xlabel("step")
        ax.set_ylabel("training loss (nats)")
        ax.legend(fontsize=8, ncol=2)
        fig.tight_layout()
        return plots.figure_to_svg(fig, "Training loss so far")


@router.post(
    "/comparisons/{job_id}/cancel",
    responses=SEE_OTHER | problem_responses(401, 403, 404, 409, 422),
)
def cancel_form(request: Request, session: SessionDep, job_id: Annotated[str, Path(max_length=64)]) -> Response:
    """The page's Cancel button (the same as DELETE /api/v1/comparisons/{id}, with the token from the
    submitter's cookie)."""
    cancel_job(request, session, job_id, request.cookies.get(CANCEL_COOKIE))
    return RedirectResponse(f"/comparisons/{job_id}", status_code=303)
