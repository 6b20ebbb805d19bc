"""`quita knowledge search` and `quita knowledge rebuild`: the documents the agent answers from."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from knowledge.errors import KnowledgeError
from quita.cli.common import CliError, err, out, settings

if TYPE_CHECKING:
    from knowledge.search import KnowledgeAnswer, KnowledgeBase

app = typer.Typer(
    help="The ISP's FAQ and the debtor's rights, searched offline.", no_args_is_help=True
)
DEFAULT_K = 3
MAX_K = 20


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="A question as a debtor would write it.")],
    k: Annotated[
        int, typer.Option("--k", min=1, max=MAX_K, help="How many passages to show.")
    ] = DEFAULT_K,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of passages.")] = False,
) -> None:
    """Show the passages that answer QUERY, best first, with their document and section.

    --json prints a list of {id, document, title, section, score, relevant, text, source}.
    """
    answer = _open(rebuild=False).search(query, k)
    if as_json:
        passages = [hit.to_dict() for hit in answer.hits]
        typer.echo(json.dumps(passages, ensure_ascii=False, indent=2))
        return
    _print_answer(answer)


@app.command("rebuild")
def rebuild() -> None:
    """Re-read the documents (QUITA_KNOWLEDGE_DIR or the bundled ones) and re-embed them all."""
    base = _open(rebuild=True)
    documents = len({passage.document for passage in base.corpus.passages})
    out.print(
        f"Indexed {len(base.corpus.passages)} passages from {documents} documents"
        f" in {base.corpus.folder} into {base.index_dir}.",
        markup=False,
    )


def _open(*, rebuild: bool) -> "KnowledgeBase":
    """Opening builds the index on first use or after an edit, so it can take a while."""
    # Imported here: chromadb and the model take a second to import, which every other
    # `quita` command would pay.
    from knowledge.search import KnowledgeBase

    try:
        with _progress_bar() as progress:
            return KnowledgeBase.open(settings(), rebuild=rebuild, progress=progress)
    except KnowledgeError as error:
        raise CliError(str(error)) from error


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing on stderr, shown only once embedding actually starts."""
    bar = Progress(TextColumn("Embedding passages"), BarColumn(), MofNCompleteColumn(), console=err)
    task = bar.add_task("embed", total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


def _print_answer(answer: "KnowledgeAnswer") -> None:
    for number, hit in enumerate(answer.hits, start=1):
        passage = hit.passage
        mark = "" if hit.relevant else " [dim](below the relevance threshold)[/]"
        out.print(f"[bold]{number}. {escape(passage.title)} › {escape(passage.section)}[/]")
        out.print(f"[dim]{passage.file_name} · score {hit.similarity:.3f}[/]{mark}")
        out.print(escape(passage.text))
        if passage.source:
            out.print(f"[dim]Fonte: {escape(passage.source)}[/]")
        out.print()
    if not answer.relevant:
        out.print(
            f"Nothing is relevant enough (threshold {answer.threshold:.2f}): the agent says it"
            " does not know and offers a person.",
            markup=False,
        )
