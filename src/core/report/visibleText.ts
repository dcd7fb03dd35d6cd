// The reports use the same rule as the panel for text from the user's disk (one implementation).
export { commandLine, visibleText } from '../../shared/visibleText';
