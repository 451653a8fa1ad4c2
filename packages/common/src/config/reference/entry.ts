/** A variable as the documentation shows it. */
export interface Entry {
  name: string;
  doc: string;
  secret?: boolean;
  /** The default, written as `NAME=value`. */
  value?: string;
  /** No default: a value that changes behaviour, written commented out. */
  example?: string;
  /** What happens while it is unset. */
  unset?: string;
  /** The values accepted, in words (`1–1000`, `rust, js`). */
  allowed?: string;
}

export interface EntrySection {
  title: string;
  intro?: string;
  entries: Entry[];
}

const UNITS = ['KiB', 'MiB', 'GiB'];

/** `10 MiB` for 10485760; bytes that are no whole number of KiB stay as they are. */
export function bytes(value: number): string {
  let unit = -1;
  while (value >= 1024 && value % 1024 === 0 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit < 0 ? String(value) : `${value} ${UNITS[unit]}`;
}
