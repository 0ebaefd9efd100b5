/** What a queued job carries: the record id and the request (validated again by the worker). */
export interface BuildJobData {
  id: string;
  request: unknown;
  /** Place in line (request order) for slot accounting; absent on jobs queued before it existed. */
  seq?: number;
}
