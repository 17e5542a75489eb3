"""The README's table "closed form vs measured", built from summary.json: one row builder per key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TABLE_START = "<!-- summary-table:start -->"
TABLE_END = "<!-- summary-table:end -->"
SCALES_START = "<!-- scales-table:start -->"
SCALES_END = "<!-- scales-table:end -->"
HEADER = ["| quantity | closed form | measured | relative difference |", "| --- | --- | --- | --- |"]


def _eta_c_rows(summary: dict) -> list[str]:
    rows = []
    for row in summary["eta_c"]:
        if row["T"] in _table_T(summary):
            rows.append(f"| eta_c, T = {row['T']:.4g}, {row['convention']} | {row['closed_form']:.4e} | "
                         f"{row['numeric']:.4e} | {row['relative_difference']:+.2%} |")
    return rows


def _exponents_rows(summary: dict) -> list[str]:
    rows = []
    for name, fit in summary["exponents"].items():
        expected = fit.get("closed_form_exponent")
        closed = f"{expected}" if expected is not None else "(none: finite a)"
        rows.append(f"| exponent of T in eta_c, {name} | {closed} | {fit['exponent']:.4f} "
                     f"[{fit['ci95'][0]:.4f}, {fit['ci95'][1]:.4f}] | "
                     f"{'' if expected is None else format(fit['exponent'] / expected - 1, '+.2%')} |")
    return rows


def _eta_c_vs_a_rows(summary: dict) -> list[str]:
    rows = []
    for a, eta in zip(summary["eta_c_vs_a"]["a"], summary["eta_c_vs_a"]["eta_c"], strict=True):
        closed = summary["eta_c_vs_a"]["closed_form_sharp"]
        rows.append(f"| eta_c at finite a = {a:g} (T = 100, x* = 10) vs sharp closed form | {closed:.4e} | "
                     f"{eta:.4e} | {eta / closed - 1:+.2%} |")
    return rows


def _eta_c_vs_rho0_rows(summary: dict) -> list[str]:
    rows = []
    closed = summary["eta_c_vs_rho0"]["closed_form_sharp"]
    for rho0, eta in zip(summary["eta_c_vs_rho0"]["rho0"], summary["eta_c_vs_rho0"]["eta_c"], strict=True):
        rows.append(f"| eta_c from r0 = {rho0:g} r* (T = 100, sharp) | {closed:.4e} | {eta:.4e} | "
                     f"{eta / closed - 1:+.2%} |")
    return rows


def _optimizers_rows(summary: dict) -> list[str]:
    rows = []
    opt = summary["optimizers"]
    for name, fit in opt["exponents"].items():
        if name == "plain descent":
            continue  # already in the rows above
        expected = fit["closed_form_exponent"]
        rows.append(f"| exponent of T in eta_c, {name} (normalized, sharp) | {expected} | {fit['exponent']:.4f} "
                     f"[{fit['ci95'][0]:.4f}, {fit['ci95'][1]:.4f}] | {fit['exponent'] / expected - 1:+.2%} |")
    for mu, ratio, estimate in zip(opt["momentum"], opt["eta_c_over_gd_closed_form"], opt["quasi_static_estimate"],
                                   strict=True):
        if round(mu, 6) in (0.5, 0.9):
            rows.append(f"| eta_c(momentum {mu:g}) / eta_c(plain), quasi-static estimate 1 - mu vs numeric "
                         f"(T = {opt['T']:g}) | {estimate:.3f} | {ratio:.3f} | {ratio / estimate - 1:+.2%} |")
    return rows


def _reference_experiment_rows(summary: dict) -> list[str]:
    rows = []
    ref = summary["reference_experiment"]
    rows.append(f"| reference experiment: loss jumps above eta_c (T = 100, integral) | "
                 f"{ref['eta_c_closed_form']:.4e} | eta above which the mean loss stays > 1/2: "
                 f"{ref['eta_where_loss_jumps_above_half']:.4e} | {ref['ratio'] - 1:+.2%} |")
    return rows


def _minimum_rows(summary: dict) -> list[str]:
    rows = []
    for row in summary["minimum"]["continuous"]:
        rows.append(f"| eta_s at a = {row['a']:g} (T = 100, x* = 10), large-a form vs exact | "
                     f"{row['eta_s_asymptotic']:.4e} | {row['eta_s']:.4e} | "
                     f"{row['eta_s'] / row['eta_s_asymptotic'] - 1:+.2%} |")
    return rows


def _rnn_critical_rate_rows(summary: dict) -> list[str]:
    rows = []
    net = summary["rnn_critical_rate"]
    low, high = net["measured_onset"]
    spread = net["predicted_spread"]
    onset = "undefined" if low is None or high is None else f"({low:.3g}, {high:.3g}]"
    ratio = net["ratio_predicted_to_measured_upper"]
    rows.append(f"| critical lr of the rank-one network (delay {net['delay_tau']:g} tau): 1-D theory eta_c "
                 f"over the squared gradient norm of r_eff at learned ghosts, median [range], vs the onset of "
                 f"trapping in a sweep | {net['predicted_median']:.3g} [{spread[0]:.3g}, {spread[1]:.3g}] | "
                 f"{onset} | {'' if ratio is None else f'x{ratio:.2f}'} |")
    rows.append(f"| learned rank-one networks: ghost r_eff (median) vs the 1-D optimum r* = pi^2/(4 T^2), "
                 f"T = {net['delay_tau']:g} tau | {net['r_star']:.4f} | {net['r_eff_median']:.4f} | "
                 f"{net['r_eff_median'] / net['r_star'] - 1:+.2%} |")
    return rows


def _rnn_dwell_rows(summary: dict) -> list[str]:
    rows = []
    if not summary["rnn_dwell"].get("measured"):
        return rows
    dw = summary["rnn_dwell"]
    low, high = dw["measured_over_crossing_range"]
    rows.append(f"| dwell of trained rank-one networks' own update across their {dw['measured']} ghosts "
                 f"(half-width {dw['half_width']:g}), measured / canonical-form time, median [range] | 1 | "
                 f"{dw['measured_over_crossing_median']:.3f} [{low:.3f}, {high:.3f}] | "
                 f"{dw['measured_over_crossing_median'] - 1:+.2%} |")
    return rows


def _rnn_ghost_lag_rows(summary: dict) -> list[str]:
    rows = []
    lag = summary["rnn_ghost_lag"]["all"]
    if lag.get("with_ghost"):
        rows.append(f"| rank-one networks: ghost epoch - drop epoch, median [quartiles], {lag['with_ghost']} of "
                     f"{lag['runs']} runs | (no prediction) | {lag['median']:+.0f} [{lag['q1']:+.0f}, "
                     f"{lag['q3']:+.0f}] epochs, {lag['fraction_after_drop']:.0%} after the drop | |")
    return rows


def _rnn_scaling_rows(summary: dict) -> list[str]:
    rows = []
    for label, fit in summary["rnn_scaling"].items():
        if not isinstance(fit, dict) or fit.get("exponent") is None:
            continue
        rows.append(f"| exponent of the delay in the network's critical rate, {label}, {fit['seeds']} seeds, "
                    f"{fit['epochs']} epochs | -4 (reduced model, rate on r); companion -2.72 +- 0.07 | "
                    f"{fit['exponent']:.2f} [{fit['ci95'][0]:.2f}, {fit['ci95'][1]:.2f}] | |")
    return rows


def _network_critical_rate_rows(summary: dict) -> list[str]:
    entries = summary["network_critical_rate"]
    rank_one = [e for e in entries if e["architecture"] == "rank one"]
    others = [e for e in entries if e["architecture"] != "rank one"]
    return _rank_one_critical_rows(rank_one) + _failure_onset_rows(others)


def _failure_onset_rows(entries: list[dict]) -> list[str]:
    """Figure 23's rows: the 10% failed rate per architecture and delay, and each architecture's exponents."""
    rows = []
    for e in entries:
        if e["measured"] is None:
            continue
        low, high = e["measured_ci"]
        if e["predicted"] is None:
            top = e["prediction_grid"][1]
            predicted = f"> {top:.3g} (none fail)" if e["networks_predicted_from"] else "(no learned network)"
            ratio = ""
        else:
            below = "<= " if e.get("ablation_bound", {}).get("own_landscape") == "below" else ""
            predicted, ratio = f"{below}{e['predicted']:.3g}", f"x{e['predicted'] / e['measured']:.2f}"
        rows.append(f"| {e['architecture']} networks ({e['optimizer']}), {e['task']}, delay {e['delay_tau']:g} tau: "
                    f"rate at which {e['quantile']:.0%} fail, own 1-D model from {e['networks_predicted_from']} "
                    f"networks, {e['seeds']} seeds, {e['epochs']} epochs | {predicted} | {e['measured']:.3g} "
                    f"[{low:.3g}, {high:.3g}] | {ratio} |")
    for name in dict.fromkeys(e["architecture"] for e in entries):
        first = next(e for e in entries if e["architecture"] == name)
        if first["measured_exponent"] is not None:
            predicted = first["predicted_exponent"]
            low, high = first["measured_exponent_ci"]
            rows.append(f"| exponent of the delay in the {first['quantile']:.0%} failure rate, {name} networks, "
                        f"own 1-D model | {'undefined' if predicted is None else f'{predicted:.2f}'} | "
                        f"{first['measured_exponent']:.2f} [{low:.2f}, {high:.2f}] | |")
    return rows


def _rank_one_critical_rows(entries: list[dict]) -> list[str]:
    rows = []
    for e in entries:
        if e["predicted"] is None or e["measured"] is None:
            continue
        bound = {"above": ">= ", "below": "<= ", None: ""}[e["predicted_bound"]]
        closed = e["ablation"]["closed_form"]
        low, high = e["measured_ci"]
        ratios = f"x{e['predicted'] / e['measured']:.2f} (x{closed / e['measured']:.2f})"
        rows.append(f"| {e['architecture']} networks, {e['task']}, delay {e['delay_tau']:g} tau: rate at which "
                    f"{e['quantile']:.0%} are trapped, own 1-D model (closed-form mapping), {e['seeds']} seeds, "
                    f"{e['epochs']} epochs | {bound}{e['predicted']:.3g} ({closed:.3g}) | {e['measured']:.3g} "
                    f"[{low:.3g}, {high:.3g}] | {ratios} |")
    first = entries[0] if entries else None
    if first and first["measured_exponent"] is not None:
        predicted = first["predicted_exponent"]
        closed = first["ablation_exponent"]["closed_form"]
        low, high = first["measured_exponent_ci"]
        rows.append(f"| exponent of the delay in the {first['quantile']:.0%} trapping rate, {first['architecture']} "
                    f"networks, own 1-D model (closed-form mapping) | "
                    f"{'undefined' if predicted is None else f'{predicted:.2f}'} "
                    f"({'undefined' if closed is None else f'{closed:.2f}'}) | "
                    f"{first['measured_exponent']:.2f} [{low:.2f}, {high:.2f}] | |")
    return rows


def _rnn_gain_ablation_rows(summary: dict) -> list[str]:
    rows = []
    ablation = summary["rnn_gain_ablation"]
    if ablation.get("final_accuracy_mean"):
        gains = np.asarray(ablation["gains"])
        acc = np.asarray(ablation["final_accuracy_mean"])
        low, high = int(np.argmin(np.abs(np.log(gains / 0.1)))), int(np.argmax(gains))
        rows.append(f"| gain ablation: accuracy of the {ablation['trapped_runs']} trapped rank-one runs of "
                    f"{ablation['seeds']} after 100 epochs at gain {gains[low]:.3g} vs {gains[high]:.3g} | "
                    f"(no prediction) | {acc[low]:.2f} vs {acc[high]:.2f} | |")
    return rows


def _rnn_confidence_rows(summary: dict) -> list[str]:
    rows = []
    norm = summary["rnn_confidence"].get("readout_normalization")
    if norm:
        pairs = ", ".join(f"{'free' if c is None else f'c = {c:g}'}: {a:.2f}"
                          for c, a in zip(norm["norms"], norm["final_accuracy_mean"], strict=True))
        rows.append(f"| readout normalisation (full rank, Adam 0.1, {norm['seeds']} seeds): final accuracy | "
                    f"(no prediction) | {pairs} | |")
    return rows


ROW_BUILDERS = (
    ("eta_c", _eta_c_rows),
    ("exponents", _exponents_rows),
    ("eta_c_vs_a", _eta_c_vs_a_rows),
    ("eta_c_vs_rho0", _eta_c_vs_rho0_rows),
    ("optimizers", _optimizers_rows),
    ("reference_experiment", _reference_experiment_rows),
    ("minimum", _minimum_rows),
    ("rnn_critical_rate", _rnn_critical_rate_rows),
    ("rnn_dwell", _rnn_dwell_rows),
    ("rnn_ghost_lag", _rnn_ghost_lag_rows),
    ("rnn_scaling", _rnn_scaling_rows),
    ("network_critical_rate", _network_critical_rate_rows),
    ("rnn_gain_ablation", _rnn_gain_ablation_rows),
    ("rnn_confidence", _rnn_confidence_rows),
)


def summary_table(summary: dict) -> str:
    """Markdown table 'closed form vs measured' built from a summary.json dict (rows in :data:`ROW_BUILDERS` order)."""
    lines = list(HEADER)
    for key, build in ROW_BUILDERS:
        if key in summary:
            lines.extend(build(summary))
    return "\n".join(lines)


def scales_table(summary: dict) -> str:
    """Markdown table of the sizes each network figure was drawn at, against the reference's (``scales``)."""
    def sizes(values: dict | None) -> str:
        return "(this project's experiment)" if values is None else ", ".join(f"{k} {v:,}" for k, v in values.items())

    lines = ["| figure | drawn at | part | sizes used | reference's sizes | reduced by |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, entry in summary.get("scales", {}).items():
        for part, info in entry["parts"].items():
            short = ", ".join(f"{k} x{v:g}" for k, v in info["reduced_by"].items())
            lines.append(f"| {name} | {entry['drawn_at']} | {part} | {sizes(info['used'])} | "
                         f"{sizes(info['reference'])} | {short} |")
    return "\n".join(lines)


def _table_T(summary: dict) -> set:
    Ts = sorted({row["T"] for row in summary["eta_c"]})
    return {Ts[0], Ts[len(Ts) // 2], Ts[-1]}


def update_readme(readme: Path, summary_path: Path) -> str:
    """Replace the README's tables between their markers with ones built from summary.json: the key
    numbers (:func:`summary_table`) and the figures' scales (:func:`scales_table`)."""
    summary = json.loads(Path(summary_path).read_text())
    table = summary_table(summary)
    text = Path(readme).read_text()
    for start, end, content in ((TABLE_START, TABLE_END, table), (SCALES_START, SCALES_END, scales_table(summary))):
        if start not in text or end not in text:
            raise ValueError(f"readme: {readme} has no {start} ... {end} markers")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{content}\n{end}{tail}"
    Path(readme).write_text(text)
    return table
