export { repoRoot, sharedDir } from './paths';
export { eventually } from './eventually';
