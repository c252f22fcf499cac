import { DataSection } from './DataSection';
import { ModelSection } from './ModelSection';
import { ResultsSection } from './ResultsSection';
import { RunSection } from './RunSection';
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
        <ResultsSection />
      </main>
    </>
  );
}
