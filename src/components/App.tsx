import { DataSection } from './DataSection';
import { ModelSection } from './ModelSection';
import { RunSection } from './RunSection';
import { ReviewSection } from './review/ReviewSection';
import { SectionBoundary } from './SectionBoundary';
import { TaskSection } from './TaskSection';

/** The flow, in order; each step's failure to draw stays inside it (SectionBoundary). */
const STEPS = [
  { title: 'Data', Content: DataSection },
  { title: 'Task', Content: TaskSection },
  { title: 'Model', Content: ModelSection },
  { title: 'Run', Content: RunSection },
  { title: 'Results', Content: ReviewSection },
];

export function App() {
  return (
    <>
      <header className="app-header">
        <h1>Retort</h1>
        <p>
          Synthetic datasets in your browser, with distilabel's tasks. Your rows and results stay on
          this device.
        </p>
      </header>
      <main>
        {STEPS.map(({ title, Content }, i) => (
          <SectionBoundary key={title} step={i + 1} title={title}>
            <Content />
          </SectionBoundary>
        ))}
      </main>
    </>
  );
}
