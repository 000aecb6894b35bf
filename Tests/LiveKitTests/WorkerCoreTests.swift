import Foundation
import LiveKitProtocol
import SwiftProtobuf
import Testing
@testable import LiveKit

/// The `/agent` protocol on a virtual clock: the test plays the server, frame by frame.
@Suite("WorkerCore")
struct WorkerCoreTests {
    /// A worker plus a clock, with helpers that speak the server's side.
    struct Harness {
        var core: WorkerCore
        var now = ContinuousClock.now
        var sent: [Livekit_WorkerMessage] = []
        var events: [WorkerEvent] = []
        var connects: [Int] = []
        var closes: [String] = []

        init(_ configuration: WorkerConfiguration = WorkerConfiguration(agentName: "assistant")) {
            core = WorkerCore(configuration: configuration)
        }

        mutating func drain() {
            while let output = core.pollOutput() {
                switch output {
                case .send(let data): sent.append(try! Livekit_WorkerMessage(serializedBytes: data))
                case .connect(let attempt): connects.append(attempt)
                case .close(let reason): closes.append(reason)
                case .event(let event): events.append(event)
                }
            }
        }

        mutating func handle(_ input: WorkerCore.Input) {
            core.handle(input, now: now)
            drain()
        }

        mutating func server(_ message: Livekit_ServerMessage.OneOf_Message) {
            var envelope = Livekit_ServerMessage()
            envelope.message = message
            handle(.frame(try! envelope.serializedData()))
        }

        /// Advances the clock, firing every deadline on the way.
        mutating func advance(_ duration: Duration) {
            let end = now + duration
            while let deadline = core.nextDeadline, deadline <= end {
                now = max(now, deadline)
                handle(.timeout)
            }
            now = end
        }

        mutating func registered() {
            core.start(now: now)
            drain()
            handle(.connected)
            var response = Livekit_RegisterWorkerResponse()
            response.workerID = "AW_test"
            response.serverInfo.version = "1.9.0"
            server(.register(response))
        }

        mutating func offer(_ id: String) {
            var request = Livekit_AvailabilityRequest()
            request.job.id = id
            request.job.room.name = "demo"
            server(.availability(request))
        }

        mutating func assign(_ id: String, token: String = "jwt") {
            var assignment = Livekit_JobAssignment()
            assignment.job.id = id
            assignment.token = token
            server(.assignment(assignment))
        }

        var statusUpdates: [Livekit_UpdateWorkerStatus] {
            sent.compactMap { if case .updateWorker(let status)? = $0.message { status } else { nil } }
        }

        var availabilityResponses: [Livekit_AvailabilityResponse] {
            sent.compactMap { if case .availability(let response)? = $0.message { response } else { nil } }
        }
    }

    @Test func registersThenReportsStatusEveryInterval() {
        var harness = Harness()
        harness.registered()
        #expect(harness.connects == [0])
        guard case .register(let request)? = harness.sent.first?.message else {
            Issue.record("the first frame is not register: \(harness.sent)")
            return
        }
        #expect(request.agentName == "assistant")
        #expect(request.type == .jtRoom)
        #expect(request.allowedPermissions.agent && request.allowedPermissions.canPublish)
        #expect(harness.events == [.registered(workerID: "AW_test", serverVersion: "1.9.0")])
        #expect(harness.core.state == .registered)
        #expect(harness.statusUpdates.count == 1)
        harness.advance(.milliseconds(7_600))
        #expect(harness.statusUpdates.count == 4, "one at registration, then every 2.5 s")
        #expect(harness.statusUpdates.map(\.seq) == [1, 2, 3, 4])
        #expect(harness.statusUpdates.allSatisfy { $0.status == .wsAvailable && $0.jobCount == 0 })
    }

    @Test func anAcceptedJobIsAssignedRunsAndEnds() throws {
        var harness = Harness()
        harness.registered()
        harness.offer("AJ_1")
        guard case .jobOffered(let job)? = harness.events.last else {
            Issue.record("no offer surfaced: \(harness.events)")
            return
        }
        #expect(job.room.name == "demo")
        harness.handle(.accept(jobID: "AJ_1", identity: "agent-AJ_1", name: "Steadfast"))
        let response = try #require(harness.availabilityResponses.last)
        #expect(response.available && response.participantIdentity == "agent-AJ_1")
        #expect(response.participantAttributes["lk.agent.name"] == "assistant")
        harness.assign("AJ_1", token: "room-token")
        guard case .jobAssigned(let assigned, let url, let token)? = harness.events.last else {
            Issue.record("no assignment surfaced: \(harness.events)")
            return
        }
        #expect(assigned.id == "AJ_1" && url == nil && token == "room-token")
        #expect(harness.statusUpdates.last?.jobCount == 1)
        harness.handle(.jobStatus(jobID: "AJ_1", status: .jsRunning))
        harness.handle(.jobStatus(jobID: "AJ_1", status: .jsSuccess))
        let updates = harness.sent.compactMap { if case .updateJob(let update)? = $0.message { update } else { nil } }
        #expect(updates.map(\.status) == [.jsRunning, .jsSuccess])
        #expect(harness.statusUpdates.last?.jobCount == 0)
        #expect(harness.core.jobs.isEmpty)
    }

    @Test func aWorkerAtItsLoadThresholdDeclinesAndSaysItIsFull() {
        var harness = Harness()
        harness.registered()
        harness.handle(.load(0.9))
        harness.offer("AJ_busy")
        #expect(harness.availabilityResponses.last?.available == false)
        #expect(harness.events.last == .jobDeclined(jobID: "AJ_busy", reason: "at load 0.9"))
        harness.advance(.milliseconds(2_500))
        #expect(harness.statusUpdates.last?.status == .wsFull)
        #expect(harness.statusUpdates.last.map { abs($0.load - 0.9) < 0.001 } == true)
    }

    @Test func anAcceptedJobThatIsNeverAssignedTimesOut() {
        var harness = Harness()
        harness.registered()
        harness.offer("AJ_lost")
        harness.handle(.accept(jobID: "AJ_lost", identity: "a", name: "a"))
        harness.advance(.milliseconds(7_400))
        #expect(!harness.events.contains(.assignmentTimedOut(jobID: "AJ_lost")))
        harness.advance(.milliseconds(200))
        #expect(harness.events.contains(.assignmentTimedOut(jobID: "AJ_lost")))
        // A late assignment is refused as a protocol error, not run.
        harness.assign("AJ_lost")
        #expect(harness.core.jobs.isEmpty)
    }

    @Test func aLostConnectionReconnectsWithBackoffAndReportsRunningJobs() {
        var harness = Harness()
        harness.registered()
        harness.offer("AJ_1")
        harness.handle(.accept(jobID: "AJ_1", identity: "a", name: "a"))
        harness.assign("AJ_1")
        harness.handle(.disconnected(reason: "connection reset"))
        #expect(harness.core.state == .waitingToReconnect)
        harness.advance(.milliseconds(10))
        #expect(harness.connects == [0, 1], "the first retry is immediate")
        // That attempt fails too: the next waits 2 s.
        harness.handle(.disconnected(reason: "refused"))
        harness.advance(.milliseconds(1_900))
        #expect(harness.connects == [0, 1])
        harness.advance(.milliseconds(200))
        #expect(harness.connects == [0, 1, 2])
        let before = harness.sent.count
        harness.handle(.connected)
        var response = Livekit_RegisterWorkerResponse()
        response.workerID = "AW_again"
        harness.server(.register(response))
        let migrate = harness.sent.dropFirst(before).compactMap { message -> [String]? in
            if case .migrateJob(let request)? = message.message { request.jobIds } else { nil }
        }
        #expect(migrate == [["AJ_1"]], "the job still running is reported to the new connection")
        #expect(harness.core.workerID == "AW_again")
    }

    @Test func reconnectionGivesUpAfterTheConfiguredAttempts() {
        var harness = Harness(WorkerConfiguration(maximumReconnectAttempts: 3))
        harness.registered()
        for _ in 0..<3 {
            harness.handle(.disconnected(reason: "down"))
            harness.advance(.seconds(10))
        }
        harness.handle(.disconnected(reason: "down"))
        #expect(harness.core.state == .failed)
        #expect(harness.events.contains { if case .failed = $0 { true } else { false } })
        #expect(harness.connects == [0, 1, 2, 3])
    }

    @Test func refusedCredentialsBeforeTheFirstRegistrationGiveUpAtOnce() {
        var harness = Harness()
        harness.core.start(now: harness.now)
        harness.drain()
        harness.handle(.disconnected(reason: "LiveKit refused the worker's token (HTTP 401)", refused: true))
        #expect(harness.core.state == .failed, "retrying a wrong key or secret cannot help")
        #expect(harness.events.last == .failed("LiveKit refused the worker's token (HTTP 401)"))
        #expect(harness.core.nextDeadline == nil)
        harness.advance(.seconds(60))
        #expect(harness.connects == [0])
    }

    @Test func refusedCredentialsAfterARegistrationAreRetried() {
        var harness = Harness()
        harness.registered()
        harness.handle(.disconnected(reason: "HTTP 401", refused: true))
        #expect(harness.core.state == .waitingToReconnect, "a running worker rides out an auth hiccup")
    }

    @Test func readinessMeansRegisteredAndNotDraining() {
        var harness = Harness()
        #expect(!harness.core.isReady)
        harness.core.start(now: harness.now)
        harness.drain()
        #expect(!harness.core.isReady, "connecting")
        harness.registered()
        #expect(harness.core.isReady)
        harness.handle(.disconnected(reason: "down"))
        #expect(!harness.core.isReady, "reconnecting")
        harness.advance(.seconds(1))
        harness.handle(.connected)
        var response = Livekit_RegisterWorkerResponse()
        response.workerID = "AW_again"
        harness.server(.register(response))
        #expect(harness.core.isReady)
        harness.offer("AJ_1")
        harness.handle(.accept(jobID: "AJ_1", identity: "a", name: "a"))
        harness.assign("AJ_1")
        harness.handle(.drain)
        #expect(harness.core.state == .registered && !harness.core.isReady, "draining takes no new jobs")
    }

    @Test func aServerThatNeverAnswersRegisterIsDroppedAndRetried() {
        var harness = Harness()
        harness.core.start(now: harness.now)
        harness.drain()
        harness.handle(.connected)
        harness.advance(.seconds(10))
        #expect(harness.closes.count == 1)
        #expect(harness.events.contains(.disconnected(reason: "register timeout")))
        #expect(harness.connects == [0, 1], "the retry after a register timeout is immediate")
        #expect(harness.core.state == .connecting)
    }

    @Test func drainingDeclinesNewJobsAndEndsWhenTheLastJobDoes() {
        var harness = Harness()
        harness.registered()
        harness.offer("AJ_1")
        harness.handle(.accept(jobID: "AJ_1", identity: "a", name: "a"))
        harness.assign("AJ_1")
        harness.handle(.drain)
        #expect(harness.statusUpdates.last?.draining == true)
        #expect(harness.statusUpdates.last?.status == .wsFull)
        harness.offer("AJ_2")
        #expect(harness.availabilityResponses.last?.jobID == "AJ_2")
        #expect(harness.availabilityResponses.last?.available == false)
        #expect(!harness.events.contains(.drained))
        harness.handle(.jobStatus(jobID: "AJ_1", status: .jsSuccess))
        #expect(harness.events.last == .drained)
        #expect(harness.core.state == .drained)
    }

    @Test func garbageFromTheServerIsReportedAndTheWorkerCarriesOn() {
        var harness = Harness()
        harness.registered()
        harness.handle(.frame(Data([0xFF, 0xFF, 0xFF, 0x01, 0x02])))
        #expect(harness.events.contains { if case .protocolError = $0 { true } else { false } })
        harness.handle(.frame(Data()))
        #expect(harness.core.state == .registered)
        harness.offer("AJ_after")
        #expect(harness.events.last.map { if case .jobOffered = $0 { true } else { false } } == true)
    }

    @Test func terminationIsSurfacedForRunningJobsOnly() {
        var harness = Harness()
        harness.registered()
        var termination = Livekit_JobTermination()
        termination.jobID = "AJ_unknown"
        harness.server(.termination(termination))
        #expect(!harness.events.contains(.jobTerminated(jobID: "AJ_unknown")))
        harness.offer("AJ_1")
        harness.handle(.accept(jobID: "AJ_1", identity: "a", name: "a"))
        harness.assign("AJ_1")
        termination.jobID = "AJ_1"
        harness.server(.termination(termination))
        #expect(harness.events.last == .jobTerminated(jobID: "AJ_1"))
    }

    @Test func reconnectDelaysFollowLiveKit() {
        #expect((1...7).map { WorkerConfiguration.reconnectDelay(attempt: $0) }
                == [.zero, .seconds(2), .seconds(4), .seconds(6), .seconds(8), .seconds(10), .seconds(10)])
    }
}
