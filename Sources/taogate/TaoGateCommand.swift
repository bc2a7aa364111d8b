import ArgumentParser

@main
struct TaoGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taogate",
        abstract: "An LLM gateway: one dependable, OpenAI-compatible API in front of many models.",
        subcommands: [Serve.self, ChatCommand.self, ModelsCommand.self, KeysCommand.self, MigrateCommand.self, MockUpstreamCommand.self],
        defaultSubcommand: Serve.self
    )
}
