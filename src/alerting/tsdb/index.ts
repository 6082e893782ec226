export { MemorySeriesStore, seriesKey, CHUNK_CAPACITY } from './store.ts';
export type { Labels, AppendResult, ScrapedSample, StoreStats, MemorySeriesStoreOptions } from './store.ts';
export { Scraper, applyTargetLabels, targetLabels, instanceOf } from './scraper.ts';
export type { ScrapeTarget, ScrapeResult, ScraperOptions, TargetStatus, TargetHealthState } from './scraper.ts';
export { parseExposition, parseSampleValue } from './exposition.ts';
