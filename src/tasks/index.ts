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

export function findTask(id: string): Task {
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new Error(`There is no task "${id}" in this version of Retort.`);
  return task;
}
