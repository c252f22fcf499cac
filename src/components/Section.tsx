import type { ReactNode } from 'react';

/** One step of the flow Data -> Task -> Model -> Run -> Results. */
export function Section({
  step,
  title,
  children,
}: {
  step: number;
  title: string;
  children: ReactNode;
}) {
  const id = `step-${step}`;
  return (
    <section className="step" aria-labelledby={id}>
      <h2 id={id}>
        <span className="step-number" aria-hidden="true">
          {step}
        </span>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** An error the person must see: what is wrong and what to do. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="alert">
      {message}
    </p>
  );
}

/** A quiet word on what just happened (an import cancelled, what an export left out): not an error. */
export function Note({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="muted" role="status">
      {children}
    </p>
  );
}
