import { sampleFile } from '@polystore/testing';

/** Sends one GraphQL operation as the test's client and returns its data (throwing on errors). */
type Gql = (query: string, variables: Record<string, unknown>) => Promise<any>;

/** A client's upload through the gateway: ask for it, PUT the bytes to the presigned URL, complete it. */
export async function uploadThroughGateway(
  gql: Gql,
  {
    ownerType,
    ownerId,
    filename,
    contentType,
  }: { ownerType: string; ownerId: string; filename: string; contentType: string },
): Promise<string> {
  const body = sampleFile(contentType, filename);
  const { requestUpload } = await gql(
    'mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId url } }',
    { input: { ownerType, ownerId, filename, contentType, size: body.length } },
  );
  const put = await fetch(requestUpload.url, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: new Uint8Array(body),
  });
  if (!put.ok) throw new Error(`PUT ${put.status}`);
  await gql('mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id } }', {
    input: { assetId: requestUpload.assetId },
  });
  return requestUpload.assetId as string;
}
