import Foundation
import SteadfastConfig
import Testing

/// `.env.example` and docs/configuration.md document exactly the variables Steadfast reads.
@Suite("Documented configuration")
struct DocumentedVariablesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func envExampleListsEveryVariableWithItsComment() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(".env.example"), encoding: .utf8)
        let values = try DotEnvParser.parse(text, fileName: ".env.example")
        #expect(Set(values.keys) == Set(ConfigurationVariable.all.map(\.name)))
        let lines = text.split(separator: "\n").map(String.init)
        for variable in ConfigurationVariable.all {
            let index = try #require(lines.firstIndex { $0.hasPrefix("\(variable.name)=") })
            #expect(lines[index - 1] == "# \(variable.purpose)", "comment above \(variable.name)")
            if variable.isSecret { #expect(values[variable.name] == "", "\(variable.name) must be blank in the example") }
        }
    }

    /// docs/configuration.md has one row per variable with its purpose and secret flag, nothing else;
    /// the README points newcomers at it.
    @Test func configurationDocListsEveryVariable() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let rows = doc.split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
        #expect(rows.count == ConfigurationVariable.all.count, "docs/configuration.md has \(rows.count) variable rows")
        for variable in ConfigurationVariable.all {
            let row = "| `\(variable.name)` | \(variable.purpose) | \(variable.isSecret ? "yes" : "") |"
            #expect(rows.contains(row), "docs/configuration.md lacks the row: \(row)")
        }
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("(docs/configuration.md)"))
    }

    @Test func theExampleLoadsCleanly() throws {
        let config = try ConfigurationLoader(
            environment: [:], envFile: Self.root.appendingPathComponent(".env.example").path).load()
        #expect(config.configuredProviders.isEmpty)
        #expect(config.openRouter.appName == "Steadfast")
    }
}
