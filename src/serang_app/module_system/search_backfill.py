"""`words_backfill_task`: the worker task a module declares so that its cases opened before it
indexed their words (serang_app.api.index_case_words) are found by staff search too.

A round indexes at most ROUND_BATCHES batches (5,000 cases, a few seconds), so the worker's
heartbeat never sees it late; the next round goes on. Each worker process runs it until a round
finds nothing left, then only remembers that: the module indexes new and changed words as it
writes them, so nothing can go missing afterwards, and a finished backfill costs no query. Two
workers at once may index the same batch; the second write replaces the first with the same words.
"""

from __future__ import annotations

from serang_app.cases.search_words import WordsReader, index_missing_words
from serang_app.module_system.spec import ModuleTask, ModuleTaskContext

ROUND_BATCHES = 10
INTERVAL_SECONDS = 60


def words_backfill_task(module: str, read: WordsReader) -> ModuleTask:
    """The task `index_words` (run as `{module}.index_words`), reading words with `read`."""
    done = False

    async def run(context: ModuleTaskContext) -> None:
        nonlocal done
        if not done:
            _, done = await index_missing_words(context.database, module, read, batches=ROUND_BATCHES)

    return ModuleTask(name="index_words", interval_seconds=INTERVAL_SECONDS, run=run)
