"""Deterministic generator of news-style articles (about 600 words) for the benchmark.

Actors come from the bundled gazetteer; the sentence templates are our own. The same
(n, seed) always gives the same articles.

    python bench/generate.py 500 /tmp/corpus
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from tieline.extract.gazetteer import load_gazetteer

HEADLINES = [
    "{a} and {b} sign deal on {sector} cooperation",
    "{ca} and {cb} agree to expand {sector} ties",
    "{a} to supply {product} to {cb} under new contract",
    "Trade between {ca} and {cb} climbs to a record",
    "{ca} imposes export restrictions on {b}",
    "{a} launches construction of {facility}",
]
LEADS = [
    "{a} and {b} signed an agreement on {sector} cooperation on {weekday}, officials said.",
    "{ca} and {cb} agreed to deepen cooperation in {sector}, according to a joint statement.",
    "{a} will supply {product} to {cb} under a contract worth {money}, the company said.",
    "{a} has launched construction of {facility}, with completion planned for {year2}.",
    "The government of {ca} imposed sanctions on {b} over its role in {sector} projects.",
    "{a} and {b} are due to sign a memorandum on {sector} during the visit.",
]
BODY = [
    "Trade between {ca} and {cb} amounted to {money} in the first {months} months of {year}.",
    "The two sides set a target of {money} in annual trade by {year2}.",
    "Deliveries of {product} rose {pct} percent last year, the ministry said.",
    "{person}, the head of {a}'s international department, said the talks had been constructive.",
    "{a} has worked with {b} for more than {small} years on {sector} projects.",
    "The project is expected to cost about {money} and to employ {count} people.",
    "Officials from {ca} and {cb} held talks on {sector} and transport logistics in {city}.",
    "{b} plans to invest {money} in the new facility over the next {small} years.",
    "Analysts said that {ca} remains the largest supplier of {product} to {cb}.",
    "Exports of {product} reached {volume} million tonnes in {year}, up {pct} percent.",
    "{a} and {b} also discussed the transfer of technology and the localisation of production.",
    "Some companies fear secondary sanctions and remain cautious about new contracts.",
    "The agreement covers {count} projects with a total value of {money}.",
    "{person} noted that cooperation in {sector} had reached a new level.",
]
FILLER = [
    "The talks took place against a background of shifting markets and new supply routes.",
    "Observers expect further announcements at the next meeting of the intergovernmental "
    "commission.",
    "Both sides described the relationship as strategic and long term.",
    "Industry groups welcomed the move but asked for clearer rules on customs and certification.",
    "The financing terms were not disclosed, and neither company commented on pricing.",
    "Regional authorities said the work would create jobs in the border areas.",
    "Experts cautioned that logistics bottlenecks could slow the pace of deliveries.",
    "The statement also mentioned cooperation in science, education and digital services.",
]
SECTORS = [
    "energy",
    "nuclear power",
    "aerospace",
    "rail transport",
    "telecommunications",
    "shipbuilding",
    "finance",
    "agriculture",
    "mining",
    "electronics",
]
PRODUCTS = [
    "crude oil",
    "liquefied natural gas",
    "coal",
    "nuclear fuel",
    "helicopters",
    "rail cars",
    "power equipment",
    "fertiliser",
    "electronic components",
    "wheat",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
GIVEN = ["Ivan", "Li", "Anna", "Wang", "Sergei", "Zhang", "Olga", "Chen", "Dmitry", "Liu"]
FAMILY = ["Petrov", "Zhou", "Sokolova", "Huang", "Volkov", "Zhao", "Morozov", "Wu", "Orlov", "Sun"]
CITIES = ["Beijing", "Moscow", "Shanghai", "Vladivostok", "Harbin", "Kazan", "Astana", "New Delhi"]


def _money(rng: random.Random) -> str:
    n = rng.choice([1.2, 2, 3.5, 12, 27, 65.8, 100, 190, 240])
    return rng.choice([f"US${n} billion", f"${n}bn", f"{n} billion dollars", f"${n} billion"])


def generate(n: int, seed: int = 0, words: int = 600) -> Iterator[tuple[str, str]]:
    """Yield (file name, text) for n articles of about ``words`` words."""
    gaz = load_gazetteer()
    orgs = sorted(
        {
            a.name
            for a in gaz.actors
            if a.type == "ORG" and a.country in {"RU", "CN", "IN", "TR", "KZ"}
        }
    )
    states = ["China", "Russia", "India", "Turkey", "Kazakhstan", "Vietnam", "Egypt", "Iran"]
    facilities = sorted({a.name for a in gaz.actors if a.type == "FACILITY"}) or ["a new plant"]
    rng = random.Random(seed)
    start = date(2014, 1, 1)
    for i in range(n):
        slots = {
            "a": rng.choice(orgs) if orgs else "Rosatom",
            "b": rng.choice(orgs) if orgs else "CNNC",
            "ca": rng.choice(states),
            "cb": rng.choice(states),
            "sector": rng.choice(SECTORS),
            "product": rng.choice(PRODUCTS),
            "facility": rng.choice(facilities),
            "weekday": rng.choice(WEEKDAYS),
            "year": rng.randint(2014, 2024),
            "year2": rng.randint(2025, 2035),
            "months": rng.choice(["three", "five", "six", "nine"]),
            "pct": rng.randint(2, 40),
            "small": rng.randint(2, 15),
            "count": rng.randint(10, 900),
            "volume": rng.randint(2, 120),
            "city": rng.choice(CITIES),
            "person": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        }
        if slots["cb"] == slots["ca"]:
            slots["cb"] = "China" if slots["ca"] != "China" else "Russia"
        day = start + timedelta(days=rng.randint(0, 3800))

        def fill(t: str, slots: dict[str, object] = slots) -> str:
            return t.format(money=_money(rng), **slots)

        paras = [fill(rng.choice(LEADS))]
        count = len(paras[0].split())
        while count < words:
            para = " ".join(
                fill(rng.choice(BODY if rng.random() < 0.6 else FILLER))
                for _ in range(rng.randint(3, 5))
            )
            paras.append(para)
            count += len(para.split())
        text = (
            f"{fill(rng.choice(HEADLINES))}\n\nPublished Date : {day.strftime('%b %d, %Y')}\n\n"
            + "\n\n".join(paras)
            + "\n"
        )
        yield f"gen_{seed}_{i:06d}.txt", text


def write_corpus(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write n generated articles into a folder; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n, seed):
        p = out / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", type=Path, help="folder to write into")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    paths = write_corpus(a.n, a.out, a.seed)
    print(f"wrote {len(paths)} articles to {a.out}")


if __name__ == "__main__":
    main()
