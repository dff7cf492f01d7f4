import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { builtImageName } from "./build-context";
import { pinningError, type Pinning } from "./image-ref";
import { ComponentArgError } from "./naming";

/** A local Docker build (`ImageArgs.build`). */
export interface ImageBuild {
  /** The build context folder (absolute, or relative to the working directory). */
  readonly context: string;
  /** Local repository name for the built image, e.g. `shipyard-api`. The tag is the content hash. */
  readonly repository: string;
  /**
   * The OS/architecture to build for: the Docker host's, e.g. `linux/arm64`.
   *
   * @default - the builder's own (the provider then warns that it picked one)
   */
  readonly platform?: string;
  /**
   * Dockerfile path, relative to the context.
   *
   * @default "Dockerfile"
   */
  readonly dockerfile?: string;
  /**
   * Multi-stage target to build.
   *
   * @default - the last stage
   */
  readonly target?: string;
  /**
   * Build arguments. Never put a secret here: build args are stored in the image history.
   *
   * @default {}
   */
  readonly args?: Record<string, string>;
}

/** How an {@link Image} is obtained: built from a local context, or a pinned reference. */
export interface ImageArgs {
  /**
   * Build the image from a local context. Exactly one of `build` and `ref`.
   *
   * @default - none: `ref` is required
   */
  readonly build?: ImageBuild;
  /**
   * Run a pinned, already published image: `repo:tag@sha256:…`, `repo@sha256:…` or a local id
   * `sha256:…` (a `repo:tag` too, with `pinning: "tag"`).
   *
   * @default - none: `build` is required
   */
  readonly ref?: string;
  /**
   * How strictly `ref` must be pinned: `digest`, `tag` (explicit, not `latest`) or `any`.
   *
   * @default "digest"
   */
  readonly pinning?: Pinning;
}

/** Validates ImageArgs that can be checked before anything is created. */
export function validateImageArgs(name: string, args: ImageArgs): void {
  if ((args.build === undefined) === (args.ref === undefined)) {
    throw new ComponentArgError(
      "Image",
      name,
      "build",
      "and `ref` are exclusive and one is required; pass exactly one",
    );
  }
  if (args.ref !== undefined) {
    const problem = pinningError(args.ref, args.pinning ?? "digest");
    if (problem !== undefined) throw new ComponentArgError("Image", name, "ref", problem);
  }
  if (args.build !== undefined && !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(args.build.repository)) {
    throw new ComponentArgError(
      "Image",
      name,
      "build.repository",
      `must be a lower-case repository name such as "shipyard-api", got ${JSON.stringify(args.build.repository)}`,
    );
  }
}

/**
 * An image that services run by immutable reference, never by a mutable tag.
 *
 * Creates: with `build`, `docker.Image` (`<name>-build`, built locally, not pushed, tagged with the
 * content hash of its context) and `docker.RemoteImage` (`<name>`) that resolves the tag to the
 * local image id; with `ref`, only `docker.RemoteImage` (`<name>`) for the pinned reference.
 * Containers use {@link Image.imageId}: the provider stores image ids, so passing anything else
 * shows a change on every preview (pulumi-docker#325).
 *
 * @example
 * const web = new Image("web", { build: { context: path.join(__dirname, "app"), repository: "notes-web" } });
 * const postgres = new Image("postgres", { ref: "postgres:16.15-alpine", pinning: "tag" });
 */
export class Image extends pulumi.ComponentResource {
  /** The Pulumi type token of every Image. */
  static readonly TYPE = "shipyard:components:Image";

  /** The local image id (`sha256:…`): what `docker.Container.image` must be given. */
  readonly imageId: pulumi.Output<string>;
  /**
   * The immutable reference: a `ref` that carries a digest as given, a tag-only `ref` resolved to
   * the digest that was pulled (`repo@sha256:…`, or the image id of an image that was never pushed),
   * or a built image's id. This is what a Swarm
   * service runs and what promotion copies from dev to prod.
   */
  readonly reference: pulumi.Output<string>;

  constructor(name: string, args: ImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Image.TYPE, name, {}, opts);
    validateImageArgs(name, args);

    let imageName: pulumi.Input<string>;
    const build = args.build;
    if (build !== undefined) {
      const dockerfile = build.dockerfile ?? "Dockerfile";
      const buildArgs = build.args ?? {};
      const built = new docker.Image(
        `${name}-build`,
        {
          imageName: builtImageName(build),
          build: {
            context: build.context,
            dockerfile: path.join(build.context, dockerfile),
            target: build.target,
            args: buildArgs,
            platform: build.platform,
          },
          skipPush: true,
          buildOnPreview: false,
        },
        { parent: this },
      );
      imageName = built.imageName;
    } else {
      imageName = args.ref!;
    }

    // keepLocally: deleting the resource must not delete an image another stack may be running.
    const remote = new docker.RemoteImage(name, { name: imageName, keepLocally: true }, { parent: this });
    this.imageId = remote.imageId;
    const ref = args.ref;
    if (ref === undefined) this.reference = remote.imageId;
    else if (ref.includes("sha256:")) this.reference = pulumi.output(ref);
    // An image only ever built locally has no repo digest; its id is then the immutable reference.
    else
      this.reference = pulumi
        .all([remote.repoDigest, remote.imageId])
        .apply(([digest, id]) => (digest ? digest : id));
    this.registerOutputs({ imageId: this.imageId, reference: this.reference });
  }
}
