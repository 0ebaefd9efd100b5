import type { BuildService } from '../../builds/service.ts';
import type { RedisLogStore } from '../../logs/redis-store.ts';
import type { WebAccess } from '../access/access.ts';
import type { ForgeLinks } from '../assets/format.ts';
import type { AssetCatalogue } from '../assets/serve.ts';
import type { LayoutOptions } from './layout.ts';

/** What the human pages need. */
export interface PagesDeps {
  service: BuildService;
  access: WebAccess;
  /** Web base URLs for commit links (github.com or GHE, GITLAB_URL). */
  links: ForgeLinks;
  /** When given, a build page carries the first lines of its log (else its stream brings them all). */
  logs?: Pick<RedisLogStore, 'read'>;
  /** Defaults to the files next to serve.ts. */
  assets?: AssetCatalogue;
}

/** Renders a page inside the site frame. */
export type Frame = (o: Pick<LayoutOptions, 'title' | 'main'> & Partial<LayoutOptions>) => string;
