import Foundation
import Providers
import SteadfastConfig
import Testing
import Transport

/// Findings of the fuzz runs that a corpus replay cannot catch (docs/fuzzing.md, Results).
@Suite("Fuzz findings")
struct FuzzFindingTests {
    struct Refusing: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            HTTPResponse(head: HTTPResponseHead(status: 401, headers: [:]), body: AsyncThrowingStream { $0.finish() })
        }
    }

    /// `steadfast-yaml` under LeakSanitizer: every router `LLMChainBuilder.build` made was leaked,
    /// because the local tail's closure held the router that holds the local tail.
    @Test("a built LLM chain is freed once nobody holds it")
    func builtRouterIsFreed() throws {
        let configuration = try ConfigurationLoader(environment: ["OPENAI_API_KEY": "sk-fuzz-000000000000"],
                                                    envFile: nil).load()
        weak var weakRouter: FallbackRouter<LLMCapability>?
        do {
            let router = try LLMChainBuilder(configuration: configuration, transport: Refusing()).build(.standard)
            weakRouter = router
            #expect(weakRouter != nil)
        }
        #expect(weakRouter == nil)
    }
}
