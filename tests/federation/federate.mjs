// trendgraph as an Apollo Federation 2 subgraph, tested with Apollo's own tools: its SDL (read
// through _service, as a gateway reads it) is composed with a tiny "teams" subgraph written
// here, a gateway is started on the supergraph, and queries through the gateway join the two:
// teams add usedByTeams to trendgraph's Technology, and a team's technologies are fetched from
// trendgraph through _entities, several in one request.
// Usage: node federate.mjs http://127.0.0.1:PORT/graphql
import assert from "node:assert/strict";
import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

const trendgraphURL = process.argv[2];
if (!trendgraphURL) {
  console.error("usage: node federate.mjs TRENDGRAPH_GRAPHQL_URL");
  process.exit(2);
}

async function post(url, query, variables) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  return { status: res.status, body };
}

// The subgraph's schema, as composition reads it, is the public contract itself.
const service = await post(trendgraphURL, "{ _service { sdl } }");
assert.equal(service.body.errors, undefined, JSON.stringify(service.body.errors));
const sdl = service.body.data._service.sdl;
const published = await (await fetch(new URL("schema.graphql", trendgraphURL))).text();
assert.equal(sdl, published, "_service.sdl is not /schema.graphql");
assert.match(sdl, /type Technology implements Node & Entity @key\(fields: "id"\) @key\(fields: "slug"\)/);

// A second subgraph: teams and the technologies they use, keyed by trendgraph's slugs.
const teams = [
  { name: "Platform", uses: ["kubernetes", "go"] },
  { name: "Payments", uses: ["go", "rest", "kubernetes"] },
];
const teamsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Technology @key(fields: "slug") {
    slug: String!
    usedByTeams: [Team!]!
  }

  type Team {
    name: String!
    uses: [Technology!]!
  }

  type Query {
    teams: [Team!]!
  }
`);
const teamsResolvers = {
  Query: { teams: () => teams },
  Team: { uses: (team) => team.uses.map((slug) => ({ __typename: "Technology", slug })) },
  Technology: {
    __resolveReference: (ref) => ({ slug: ref.slug }),
    usedByTeams: (tech) => teams.filter((t) => t.uses.includes(tech.slug)),
  },
};
const teamsServer = new ApolloServer({
  schema: buildSubgraphSchema([{ typeDefs: teamsTypeDefs, resolvers: teamsResolvers }]),
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url: teamsURL } = await startStandaloneServer(teamsServer, { listen: { host: "127.0.0.1", port: 0 } });

// Real composition: errors (a bad @key, a type clash) fail here.
const composed = composeServices([
  { name: "trendgraph", typeDefs: parse(sdl), url: trendgraphURL },
  { name: "teams", typeDefs: teamsTypeDefs, url: teamsURL },
]);
assert.equal(composed.errors, undefined, (composed.errors ?? []).map(String).join("\n"));
for (const hint of composed.hints ?? []) console.log(`composition hint: ${hint.toString()}`);

// The gateway, counting what it sends trendgraph.
const sent = [];
const gateway = new ApolloGateway({
  supergraphSdl: composed.supergraphSdl,
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        if (name === "trendgraph") sent.push(request);
      },
    }),
});
const gatewayServer = new ApolloServer({ gateway });
const { url: gatewayURL } = await startStandaloneServer(gatewayServer, { listen: { host: "127.0.0.1", port: 0 } });

let failed = false;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failed = true;
    console.log(`FAIL ${name}\n${err.stack ?? err}`);
  }
}

try {
  await check("a trendgraph technology with the teams that use it (trendgraph, then teams by key)", async () => {
    const { body } = await post(gatewayURL, `{ technology(slug: "kubernetes") { name kind usedByTeams { name } } }`);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data.technology.name, "Kubernetes");
    assert.deepEqual(body.data.technology.usedByTeams.map((t) => t.name), ["Platform", "Payments"]);
  });

  await check("the teams with trendgraph's technologies (teams, then trendgraph's _entities, in one request)", async () => {
    sent.length = 0;
    const { body } = await post(gatewayURL, `{ teams { name uses { slug name id lifecycle } } }`);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const payments = body.data.teams.find((t) => t.name === "Payments");
    assert.deepEqual(payments.uses.map((t) => t.name), ["Go", "REST", "Kubernetes"]);
    for (const t of payments.uses) assert.ok(t.id && t.lifecycle, `${t.slug} lacks trendgraph's fields`);
    const entityCalls = sent.filter((r) => r.query.includes("_entities"));
    assert.equal(entityCalls.length, 1, `trendgraph got ${entityCalls.length} _entities requests`);
    // One representation per technology of every team: all five in that one request.
    assert.equal(entityCalls[0].variables.representations.length, 5);
  });

  await check("a join both ways and through trendgraph's own relationships", async () => {
    const { body } = await post(
      gatewayURL,
      `{ teams { name uses { name relationships(first: 2) { nodes { kind } } usedByTeams { name } } } }`,
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const go = body.data.teams[0].uses.find((t) => t.name === "Go");
    assert.deepEqual(go.usedByTeams.map((t) => t.name), ["Platform", "Payments"]);
    assert.ok(go.relationships.nodes.length > 0);
  });

  await check("a key that names nothing is null with trendgraph's NOT_FOUND", async () => {
    const { body } = await post(
      trendgraphURL,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Technology { slug } } }`,
      { r: [{ __typename: "Technology", slug: "go" }, { __typename: "Technology", slug: "no-such-technology" }] },
    );
    assert.deepEqual(body.data._entities, [{ slug: "go" }, null]);
    assert.equal(body.errors[0].extensions.code, "NOT_FOUND");
    assert.deepEqual(body.errors[0].path, ["_entities", 1]);
  });
} finally {
  await gatewayServer.stop();
  await teamsServer.stop();
}
if (failed) process.exit(1);
console.log("federation: composed, gateway answered across both subgraphs");
