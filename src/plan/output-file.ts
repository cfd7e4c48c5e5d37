/** One file a command wants written: path relative to a base folder, exact bytes, exact mode. */
export interface OutputFile {
  path: string;
  contents: string | Uint8Array;
  mode: number;
  /** True when the file holds a secret (PSK, password, private key): the summary says so. */
  secret?: boolean;
}

export const MODE_SECRET = 0o600;
export const MODE_PUBLIC = 0o644;
export const MODE_SCRIPT = 0o700;
export const MODE_DIR = 0o700;
