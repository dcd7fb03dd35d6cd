/**
 * The `limit` directories holding the most files, kept as the walk finishes each directory.
 * Ties are broken by path, so the list does not depend on the order the walk met them.
 */
export class LargestDirs {
  private readonly top: { path: string; files: number }[] = [];

  constructor(private readonly limit = 10) {}

  /** Called once per directory with the number of regular files directly inside it. */
  offer(path: string, files: number): void {
    if (files <= 0) return;
    const full = this.top.length === this.limit;
    if (full && !ranksBefore(files, path, this.top[this.top.length - 1])) return;
    let i = this.top.length;
    while (i > 0 && ranksBefore(files, path, this.top[i - 1])) i--;
    this.top.splice(i, 0, { path, files });
    if (this.top.length > this.limit) this.top.pop();
  }

  list(): { path: string; files: number }[] {
    return this.top.map((d) => ({ ...d }));
  }
}

function ranksBefore(files: number, path: string, other: { path: string; files: number }): boolean {
  return files > other.files || (files === other.files && path < other.path);
}
