/**
 * Random reads from an uploaded temp file through one cached window, so the
 * content checks can walk a format's structure (PNG chunks, JPEG markers) with
 * a bounded amount of memory and few system calls: a read inside the window
 * costs nothing, one outside it loads the next WINDOW_BYTES from there.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes held at once per open file. */
const WINDOW_BYTES = 1024 * 1024;

export class FileWindow {
  private window = new Uint8Array(0);
  private windowStart = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Opens the file for reading; the caller closes it. */
  static async open(path: string): Promise<FileWindow> {
    const handle = await open(path, 'r');
    try {
      return new FileWindow(handle, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Runs `use` on the opened file and closes it whatever happens. */
  static async with<T>(path: string, use: (file: FileWindow) => Promise<T>): Promise<T> {
    const file = await FileWindow.open(path);
    try {
      return await use(file);
    } finally {
      await file.close();
    }
  }

  /**
   * The bytes at `[position, position + length)`, cut short at the end of the
   * file. The result may share memory with the window: use it before the next read.
   */
  async read(position: number, length: number): Promise<Uint8Array> {
    const end = Math.min(position + length, this.size);
    if (position < 0 || position >= end) return new Uint8Array(0);
    if (position < this.windowStart || end > this.windowStart + this.window.byteLength) {
      const want = Math.min(Math.max(end - position, WINDOW_BYTES), this.size - position);
      const buffer = new Uint8Array(want);
      const { bytesRead } = await this.handle.read(buffer, 0, want, position);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, end - this.windowStart);
  }

  /** A copy of the first `length` bytes (or fewer, for a shorter file). */
  async head(length: number): Promise<Uint8Array> {
    return (await this.read(0, length)).slice();
  }

  /** A copy of the last `length` bytes (or the whole file, when shorter). */
  async tail(length: number): Promise<Uint8Array> {
    const start = Math.max(0, this.size - length);
    return (await this.read(start, this.size - start)).slice();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
