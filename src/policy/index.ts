export { LEVELS, rank, atRank, maxLevel, isLevel, type Level } from './levels.js';
export { DEFAULT_POLICY, resolvePolicy, helpPhrases, type PolicyConfig, type PolicyOverrides, type Rung } from './config.js';
export { DEFAULT_HELP_PHRASES, createHelpMatcher, normalizeForMatch, type HelpMatcher } from './panic.js';
export {
  Policy,
  step,
  singleSignalLevel,
  signalFromAssessment,
  slope,
  INITIAL_STATE,
  type Intervention,
  type PolicyInput,
  type PolicySignal,
  type PolicyState,
  type Reason,
} from './policy.js';
