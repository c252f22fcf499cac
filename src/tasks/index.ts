import type { Task } from '../engine/task';
import { textGeneration } from './textGeneration';

/** The catalog, in the order the task picker shows it. */
export const tasks: readonly Task[] = [textGeneration];

export function findTask(id: string): Task {
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new Error(`There is no task "${id}" in this version of Retort.`);
  return task;
}
