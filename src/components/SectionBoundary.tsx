import type { ReactNode } from 'react';
import { ErrorBoundary, type FallbackProps } from 'react-error-boundary';
import { forgetFailedDataset, setData, useForm } from '../state/form';
import { DeleteDataset } from './DeleteDataset';
import { useDataset } from './queries';
import { Section } from './Section';

/**
 * Keeps a failure to draw one step inside that step: the rest of the page
 * works, and a stored dataset that cannot be shown can be let go of or
 * deleted here, never locking the app (the selection is not remembered past a reload).
 */
export function SectionBoundary({
  step,
  title,
  children,
}: {
  step: number;
  title: string;
  children: ReactNode;
}) {
  const datasetId = useForm((s) => s.data.datasetId);
  return (
    <ErrorBoundary
      resetKeys={[datasetId]}
      onError={forgetFailedDataset}
      fallbackRender={(props) => (
        <Section step={step} title={title}>
          <SectionFailed title={title} {...props} />
        </Section>
      )}
    >
      {children}
    </ErrorBoundary>
  );
}

function SectionFailed({ title, error, resetErrorBoundary }: FallbackProps & { title: string }) {
  const datasetId = useForm((s) => s.data.datasetId);
  const dataset = useDataset(datasetId);
  const reason = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="alert">
      <p>
        The {title} step could not be shown{dataset ? ` for the dataset "${dataset.name}"` : ''}:{' '}
        {reason}. Nothing stored was changed.
      </p>
      <div className="actions">
        {dataset && (
          <button type="button" onClick={() => setData({ datasetId: undefined })}>
            Deselect dataset
          </button>
        )}
        <button type="button" className="secondary" onClick={resetErrorBoundary}>
          Try again
        </button>
      </div>
      <DeleteDataset dataset={dataset} />
    </div>
  );
}
