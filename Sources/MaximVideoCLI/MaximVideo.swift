import ArgumentParser

/// The `maxim-video` command: restores video with MAXIM models on the CPU.
public struct MaximVideo: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "maxim-video",
        abstract: "Restore video (deblur, denoise) with MAXIM models on the CPU.",
        subcommands: [
            ProbeCommand.self, ProcessCommand.self, RunCommand.self, DeblurCommand.self, DenoiseCommand.self,
            BatchCommand.self, EvalCommand.self, Infer.self, ModelInfo.self, Bench.self, InferDebugIntermediates.self,
        ]
    )

    public init() {}
}
