"""Stream every export format in-process and print time, size and peak Python memory for each,
then the cost of rendering one reference through the CSL processor.

Memory should stay flat as the dataset grows (exports are read in batches and streamed); fill
a scratch database with tests/benchmarks/generate_claims.py first to see it at scale.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python tests/benchmarks/export_throughput.py
"""

import time
import tracemalloc

from sqlalchemy import func, select

from app.api.v1.export import EXPORTERS
from app.config import Settings
from app.db import create_db_engine
from app.domain.csl import csl_item
from app.domain.styles import Style, render
from app.models.claim import Claim
from app.services.export import ExportRequest, cited_sources

RENDERS = 50


def main() -> None:
    engine = create_db_engine(Settings().database_url)
    request = ExportRequest(base_url="http://localhost:8000", publisher="benchmark")
    with engine.connect() as conn:
        claims = conn.execute(select(func.count()).select_from(Claim)).scalar_one()
        print(f"{claims} claims\n{'format':12} {'seconds':>8} {'MB':>8} {'MB/s':>8} {'peak MB':>8}")
        for export_format, exporter in EXPORTERS.items():
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in exporter.write(conn, request))
            elapsed = time.perf_counter() - started
            tracemalloc.start()  # a second pass, traced: tracing slows the first one down
            sum(len(chunk) for chunk in exporter.write(conn, request))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            mb = size / 1e6
            print(f"{export_format:12} {elapsed:8.2f} {mb:8.2f} {mb / elapsed:8.1f} {peak / 1e6:8.1f}")
        items = [csl_item(row._mapping) for row in cited_sources(conn, request)]
    for style in Style:
        started = time.perf_counter()
        for position in range(RENDERS):
            render(items[position % len(items)], style)
        print(f"{style.value} render: {(time.perf_counter() - started) / RENDERS * 1000:.1f} ms per reference")
    engine.dispose()


if __name__ == "__main__":
    main()
