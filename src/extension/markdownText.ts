/**
 * Text from the user's disk (script names, paths, advice) placed into a MarkdownString stays literal:
 * Markdown's special characters are escaped, spaces are kept (appendText would turn them into &nbsp;).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, '\\$&');
}
