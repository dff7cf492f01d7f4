import * as grpc from "@grpc/grpc-js";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * A stand-in for the two gRPC services of the Pulumi engine a program talks to (the resource
 * monitor and the engine's log), on one local port, recording what it is sent. It supports no
 * optional feature (each `supportsFeature` answers unimplemented, as an old engine would).
 */
export interface FakeEngine {
  readonly address: string;
  /** Each registration, in order: `type::name`. */
  readonly registered: string[];
  /** The outputs registered for each resource (the stack's are its outputs), by URN. */
  readonly outputs: Map<string, Record<string, unknown>>;
  /** Each log message at warning or error severity, as `<severity>: <message>`. */
  readonly logs: string[];
  close(): void;
}

export async function startFakeEngine(project: string, stack: string): Promise<FakeEngine> {
  const registered: string[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  const logs: string[] = [];
  let root = "";
  const server = new grpc.Server();
  server.addService(resrpc.ResourceMonitorService, {
    registerResource: (
      call: grpc.ServerUnaryCall<resproto.RegisterResourceRequest, resproto.RegisterResourceResponse>,
      callback: grpc.sendUnaryData<resproto.RegisterResourceResponse>,
    ) => {
      const req = call.request;
      registered.push(`${req.getType()}::${req.getName()}`);
      const urn = `urn:pulumi:${stack}::${project}::${req.getType()}::${req.getName()}`;
      const response = new resproto.RegisterResourceResponse().setUrn(urn).setObject(new Struct());
      if (req.getCustom()) response.setId(`${req.getName()}-id`);
      callback(null, response);
    },
    registerResourceOutputs: (
      call: grpc.ServerUnaryCall<resproto.RegisterResourceOutputsRequest, Empty>,
      callback: grpc.sendUnaryData<Empty>,
    ) => {
      outputs.set(call.request.getUrn(), call.request.getOutputs()?.toJavaScript() ?? {});
      callback(null, new Empty());
    },
  });
  server.addService(engrpc.EngineService, {
    log: (call: grpc.ServerUnaryCall<engproto.LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
      const severity = call.request.getSeverity();
      if (severity === engproto.LogSeverity.ERROR) logs.push(`error: ${call.request.getMessage()}`);
      if (severity === engproto.LogSeverity.WARNING) logs.push(`warning: ${call.request.getMessage()}`);
      callback(null, new Empty());
    },
    getRootResource: (_call: unknown, callback: grpc.sendUnaryData<engproto.GetRootResourceResponse>) =>
      callback(null, new engproto.GetRootResourceResponse().setUrn(root)),
    setRootResource: (
      call: grpc.ServerUnaryCall<engproto.SetRootResourceRequest, engproto.SetRootResourceResponse>,
      callback: grpc.sendUnaryData<engproto.SetRootResourceResponse>,
    ) => {
      root = call.request.getUrn();
      callback(null, new engproto.SetRootResourceResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, registered, outputs, logs, close: () => server.forceShutdown() };
}
