/**
 * The data model every layer shares: the records of a session file and the report built from them.
 *
 * A session is a stream of `SessionRecord`s. The recorder writes them to disk as JSON lines while it
 * runs and feeds the very same records to the analyses, so a session file reopened later produces
 * exactly the report the live session showed. Times (`s`) are seconds since the session start;
 * byte counts are integers.
 */

export * from './datasetRecords';
export * from './sessionRecords';
export * from './sessionReport';
