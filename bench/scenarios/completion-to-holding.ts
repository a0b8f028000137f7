// A path completion turns into a competence holding under the paths-progress load: bench/competence/completion-to-holding.ts.
export { scenario } from '../competence/completion-to-holding.js';
