import type { LoadedChannel, LoadedTenant, ValidationIssue } from '../manifests/types.js';

/** One read of the manifest source at one revision. */
export interface SourceSnapshot {
  /** A git commit SHA, or `dir:<content hash>` for a plain directory. */
  revision: string;
  tenants: LoadedTenant[];
  /** NotificationChannel manifests declared beside the tenants (absent: none). */
  channels?: LoadedChannel[];
  /** Validation problems; a snapshot with any is rejected whole and never applied. */
  issues: ValidationIssue[];
  /** Manifest files read; zero means an empty source, which never deletes anything. */
  fileCount: number;
}

/** Where manifests come from: a directory, or a git repository at a branch. */
export interface ManifestSource {
  describe(): string;
  /** Reads the newest revision. Throws (SOURCE_UNAVAILABLE) when it cannot be read at all. */
  load(): Promise<SourceSnapshot>;
  /** Wakes the source (a push webhook): the next load fetches at once. */
  trigger?(): void;
  close?(): Promise<void>;
}
