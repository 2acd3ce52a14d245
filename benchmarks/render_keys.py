"""Benchmark the site's render stage with warm page keys against rendering every page (site_builder.page_keys).

In one process, on one data set: the records are validated and the site's data computed once (reference),
then the plugin's render stage (`CrmPlugin._render`: jinja into the staging folder) runs
- cold: no staging folder and no keys (every page rendered and written);
- rendered: the staging folder current but no keys (every page rendered, nothing written: the build before
  page keys, after an edit that changes nothing);
- warm: staging folder and keys current (customer pages kept, the other pages rendered).
The key's own costs are shown apart: the code digest and fingerprinting every keyed page's context. The
staging folder is in a temporary folder, so a data set given by --root is only read (its parse cache too,
with --no-cache it is not even read). The best of --repeat runs counts; figures are upper bounds on a
shared machine. Prints figures; asserts nothing.

    python benchmarks/render_keys.py --customers 1000 --interactions 10000
    python benchmarks/render_keys.py --root /tmp/crm-bench-build/data-10000 --repeat 1
"""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import data_set, size_parser
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from site_builder.page_keys import Fingerprints, code_digest
from site_builder.pages import Page, all_outputs
from site_builder.plugin import CrmPlugin
from site_builder.sitedata import site_data
from site_builder.staging import Staging

AS_OF = date(2026, 11, 24)


def best(repeat: int, prepare: Callable[[], None], run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        prepare()
        gc.collect()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = size_parser(__doc__, repeat=2)
    parser.add_argument("--no-cache", action="store_true", help="do not read the data set's parse cache")
    arguments = parser.parse_args()
    root = (
        arguments.root
        if arguments.root is not None and (arguments.root / "crm.yaml").exists()
        else data_set(arguments.customers, arguments.interactions, arguments.root)
    )
    started = time.perf_counter()
    validation = validate(root, LoadOptions(use_cache=not arguments.no_cache))
    data = site_data(validation.dataset, AS_OF, validation.warnings, internal=False)
    computed = time.perf_counter() - started
    keyed = [output for output in all_outputs(data) if isinstance(output, Page) and output.keyed]
    print(f"{root}: {len(data.customers):,} customers, {len(keyed):,} keyed pages")
    print(f"  validate + site data (reference)   {computed:7.2f} s")
    started = time.perf_counter()
    code_digest()
    print(f"  code digest                        {time.perf_counter() - started:7.2f} s")
    started = time.perf_counter()
    fingerprint = Fingerprints()
    for page in keyed:
        fingerprint(page.context)
    print(f"  fingerprint every keyed context    {time.perf_counter() - started:7.2f} s")
    del keyed
    plugin = CrmPlugin()
    plugin.language = data.language
    with tempfile.TemporaryDirectory(prefix="crm-render-keys-") as work:
        cache = Path(work)
        staging_folder = cache / ".crm-cache" / "site"

        def staging() -> Staging:
            return Staging(cache, "public")

        def empty() -> None:
            shutil.rmtree(staging_folder, ignore_errors=True)

        def no_keys() -> None:
            (staging_folder / "public.keys.json").unlink(missing_ok=True)

        cold = best(arguments.repeat, empty, lambda: plugin._render(data, staging()))
        rendered = best(arguments.repeat, no_keys, lambda: plugin._render(data, staging()))
        plugin._render(data, staging())  # the keys of a finished build
        warm = best(arguments.repeat, lambda: None, lambda: plugin._render(data, staging()))
    print(f"  render, cold (all written)         {cold:7.2f} s")
    print(f"  render, no keys (all rendered)     {rendered:7.2f} s")
    print(f"  render, warm keys                  {warm:7.2f} s   ({warm / rendered:.2f}x of no keys)")


if __name__ == "__main__":
    main()
