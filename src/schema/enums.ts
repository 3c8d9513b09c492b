import { registerEnumType } from 'type-graphql';
import { IngestStatus, SearchMode } from '../catalog/product';

/** The domain's enums, registered once with their GraphQL descriptions. */

registerEnumType(SearchMode, {
  name: 'SearchMode',
  valuesConfig: {
    HYBRID: { description: 'SigLIP text-to-image kNN fused with BM25 keyword search (reciprocal rank fusion).' },
    VECTOR: { description: 'SigLIP text-to-image kNN only.' },
    KEYWORD: { description: 'BM25 on title and description only.' },
  },
});

registerEnumType(IngestStatus, {
  name: 'IngestStatus',
  valuesConfig: { UNCHANGED: { description: 'The same input was already stored; nothing was written.' } },
});

export { IngestStatus, SearchMode };
