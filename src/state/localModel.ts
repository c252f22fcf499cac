import { create } from 'zustand';
import type { LocalModelState } from '../engine/llm/localModels';
import { callback, engine } from '../engineClient';

/**
 * The engine's local model as its one watcher reports it: loads started by the
 * Load button and by runs (start, resume) alike.
 */
export const useLocalModel = create<LocalModelState>(() => ({ status: 'none' }));

void engine.watchModel(callback((state: LocalModelState) => useLocalModel.setState(state, true)));
