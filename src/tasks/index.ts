import { type BoundTask, bindTask, type TaskSpec } from '../engine/bound';
import { inputError } from '../engine/errors';
import type { Task } from '../engine/task';
import { arenaHard } from './arenaHard';
import { clair } from './clair';
import { customJson, customRegex, customText } from './custom';
import { evolComplexity, evolInstruct, evolQuality } from './evol';
import { chatGeneration, structuredGeneration } from './generation';
import { genstruct } from './genstruct';
import { instructionBacktranslation } from './instructionBacktranslation';
import { magpie } from './magpie';
import { prometheusAbsolute, prometheusRelative } from './prometheus';
import { complexityScorer, qualityScorer } from './scorers';
import { selfInstruct } from './selfInstruct';
import { generateSentencePair } from './sentencePair';
import { textClassification } from './textClassification';
import { textGeneration } from './textGeneration';
import { generateTextRetrievalData } from './textRetrieval';
import { ultraFeedbackTasks } from './ultrafeedback';
import { urial } from './urial';

/** The catalog, in the order the task picker shows it. */
export const tasks: readonly Task[] = [
  textGeneration,
  chatGeneration,
  structuredGeneration,
  selfInstruct,
  genstruct,
  urial,
  magpie,
  evolInstruct,
  evolComplexity,
  evolQuality,
  ...ultraFeedbackTasks,
  qualityScorer,
  complexityScorer,
  prometheusAbsolute,
  prometheusRelative,
  arenaHard,
  instructionBacktranslation,
  clair,
  textClassification,
  generateSentencePair,
  generateTextRetrievalData,
  customText,
  customJson,
  customRegex,
];

const byId = new Map(tasks.map((task) => [task.id, task]));

/** A task's definition, for the form and for labels; undefined for a task this version lacks. */
export function taskById(id: string): Task | undefined {
  return byId.get(id);
}

/**
 * A spec's task from the catalog, bound to its parameters and settings: the
 * one place a task is looked up. The engine worker and the form both bind here.
 */
export function bindSpec(spec: TaskSpec): BoundTask {
  const task = taskById(spec.taskId);
  if (!task) throw inputError(`There is no task "${spec.taskId}" in this version of Retort.`);
  return bindTask(task, spec);
}

/** A task's label for a stored run; its id when this version has no such task. */
export function taskLabel(id: string): string {
  return taskById(id)?.label ?? id;
}
