// The operations this client sends. graphql-codegen reads them, types them against the schema,
// and lists them in the persisted-documents manifest.
import { graphql } from './gql/index.js';

export const TechnologyProfile = graphql(`
  query TechnologyProfile($slug: String!) {
    technology(slug: $slug) {
      id
      name
      kind
      vendor { name }
      tradeoffs(first: 20) { totalCount nodes { slug name type } }
      relationships(first: 50) {
        totalCount
        edges { direction node { kind rationale } other { __typename slug name } }
      }
    }
  }
`);

export const TechnologiesPage = graphql(`
  query TechnologiesPage($filter: EntityFilter, $first: Int, $after: String) {
    technologies(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { slug name kind }
    }
  }
`);

export const Search = graphql(`
  query Search($query: String!, $first: Int) {
    search(query: $query, first: $first) {
      totalCount
      edges { score node { __typename slug name } }
    }
  }
`);
