import type { Dataset } from '../../engine/db/schema';
import type { Args } from './python';

/** Where a pipeline's first rows come from, as far as Retort knows. */
export type RowSource =
  | { kind: 'hub'; endpoint: string; repoId: string; config: string; split: string }
  | { kind: 'url'; url: string }
  | { kind: 'file'; name: string }
  /** Made from runs that are deleted: only Retort holds its rows. */
  | { kind: 'orphan'; name: string };

/** A Hub import's source: `<endpoint>/datasets/<owner/name>/viewer/<config>/<split>` (hub/importHub.ts). */
const HUB_SPLIT = /^(https?:\/\/.+?)\/datasets\/(.+)\/viewer\/([^/]+)\/([^/]+)$/;

/** Where the dataset a chain starts on came from, read from its `source`. */
export function rowSourceOf(dataset: Dataset): RowSource {
  const hub = HUB_SPLIT.exec(dataset.source);
  if (hub) return { kind: 'hub', endpoint: hub[1], repoId: hub[2], config: hub[3], split: hub[4] };
  if (/^https?:\/\//i.test(dataset.source)) return { kind: 'url', url: dataset.source };
  if (dataset.derivedFrom) return { kind: 'orphan', name: dataset.name };
  return { kind: 'file', name: dataset.source };
}

const HUB = 'https://huggingface.co';

/** The loader for a source: its class (in distilabel.steps), arguments, and what the file should say. */
export function loader(source: RowSource): { className: string; args: Args; note: string } {
  switch (source.kind) {
    case 'hub':
      return {
        className: 'LoadDataFromHub',
        args: { repo_id: source.repoId, config: source.config, split: source.split },
        note:
          source.endpoint === HUB
            ? 'The rows: the split Retort imported from the Hugging Face Hub.'
            : `The rows: the split Retort imported from the Hub at ${source.endpoint}; set HF_ENDPOINT to it.`,
      };
    case 'url':
      return {
        className: 'LoadDataFromFileSystem',
        args: { data_files: source.url },
        note: `The rows: the file Retort imported from ${source.url}.`,
      };
    case 'file':
      return {
        className: 'LoadDataFromFileSystem',
        args: { data_files: source.name },
        note: `The rows: PLACEHOLDER: the path of ${source.name}, the file Retort imported them from.`,
      };
    case 'orphan':
      return {
        className: 'LoadDataFromFileSystem',
        args: { data_files: 'rows.jsonl' },
        note: `The rows: PLACEHOLDER: the runs that made "${source.name}" are deleted, so its rows are only in Retort: put the path of a file of them here.`,
      };
  }
}
