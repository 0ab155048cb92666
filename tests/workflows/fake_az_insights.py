"""The fake ``az`` of the canary rehearsal, with Application Insights behind its query command.

Every command but ``monitor app-insights query`` goes to :mod:`fake_az` unchanged. The query is
handed, as KQL text, to the generated repo's local Application Insights
(``deploy/appinsights_local.py`` at FAKE_APPINSIGHTS_URL), which holds the envelopes the apps'
real Azure Monitor exporter sent and answers with the JSON ``az ... -o json`` prints. So the
gate reads rows the running revisions really produced, not canned numbers.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import fake_az


def main(argv: list[str]) -> None:
    if argv[:3] != ["monitor", "app-insights", "query"]:
        fake_az.main(argv)
        return
    log = os.environ.get("FAKE_AZ_LOG")
    if log:
        with Path(log).open("a") as sink:
            sink.write(json.dumps(["az", *argv]) + "\n")
    _words, options = fake_az.parse(argv)
    kql = fake_az.one(options, "--analytics-query").encode()
    url = os.environ["FAKE_APPINSIGHTS_URL"] + "/_query"
    request = urllib.request.Request(url, data=kql, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        print(response.read().decode())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main(sys.argv[1:])
