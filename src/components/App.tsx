import { DataSection } from './DataSection';
import { ModelSection } from './ModelSection';
import { RunSection } from './RunSection';
import { ReviewSection } from './review/ReviewSection';
import { TaskSection } from './TaskSection';

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
        <DataSection />
        <TaskSection />
        <ModelSection />
        <RunSection />
        <ReviewSection />
      </main>
    </>
  );
}
