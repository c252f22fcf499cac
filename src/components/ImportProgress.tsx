import { byteSize } from '../engine/bytes';
import { rowCount } from './format';

/** An import under way, from a file, the Hub or a URL: what it has read so far. */
export interface ImportProgressState {
  name: string;
  rows: number;
  /** Bytes read, when the source says. */
  bytes?: number;
}

/** The line an import shows while it runs, with its Cancel import button. */
export function ImportProgress({
  importing,
  onCancel,
}: {
  importing: ImportProgressState | null;
  onCancel: () => void;
}) {
  if (!importing) return null;
  return (
    <div className="actions">
      <p className="muted" aria-live="polite">
        Importing {importing.name}… {rowCount(importing.rows)} so far
        {importing.bytes ? ` (${byteSize(importing.bytes)} read)` : ''}.
      </p>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel import
      </button>
    </div>
  );
}
