import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The baseline: @apollo/gateway serving the same supergraph. Used only by
 * `npm run bench`, never by the product (its licence is Elastic-2.0).
 * argv: supergraph file, port.
 */
const [supergraphFile, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile!, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
process.send?.({ ready: url });
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
