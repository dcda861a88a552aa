package io.hyperkv.operator.membership;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One membership round for one cluster: ask every pod for its report, plan the topology, and install it on every
 * pod when it is not in force yet.
 *
 * <p>Rules: a topology is pushed only when every desired pod is ready and answered (a missing pod is a failover
 * question, not a reason to move its slots); a pushed epoch is higher than any epoch a node reported and than the
 * last one the operator recorded; a document failing {@link TopologyPlanner#verifySafe} is never sent.
 */
public final class MembershipSync {

  private final AdminClient client;

  public MembershipSync(AdminClient client) {
    this.client = client;
  }

  /** A pod as membership sees it: ordinal, name, admin endpoint (absent until ready), and its peer address. */
  public record PodEndpoint(String pod, boolean ready, Optional<URI> admin, String host, int port, int busPort) {
  }

  /** What the round found and did. */
  public record Result(List<MemberView> members, Optional<Long> epochInForce, boolean pushed, Optional<String> problem) {
  }

  /** One pod's membership state. */
  public record MemberView(String pod, Optional<String> nodeId, State state) {
  }

  /** Member lifecycle, as {@code status.members[].state}. */
  public enum State {
    Starting, Unreachable, Joining, Member
  }

  public Result sync(List<PodEndpoint> pods, int desiredReplicas, int replicationFactor, String token,
      long lastRecordedEpoch) {
    var reports = new ArrayList<NodeReport>();
    var views = new ArrayList<MemberView>();
    var problems = new ArrayList<String>();
    var nodes = new ArrayList<Topology.Node>();
    var epochs = new java.util.HashMap<String, Long>();
    for (PodEndpoint pod : pods) {
      if (!pod.ready() || pod.admin().isEmpty()) {
        views.add(new MemberView(pod.pod(), Optional.empty(), State.Starting));
        continue;
      }
      try {
        NodeReport report = client.node(pod.admin().get(), token);
        reports.add(report);
        nodes.add(new Topology.Node(report.nodeId(), pod.host(), pod.port(), pod.busPort()));
        views.add(new MemberView(pod.pod(), Optional.of(report.nodeId()), State.Joining));
        epochs.put(pod.pod(), report.epoch());
      } catch (AdminApiException e) {
        views.add(new MemberView(pod.pod(), Optional.empty(), State.Unreachable));
        problems.add(e.getMessage());
      }
    }
    if (reports.size() < desiredReplicas || !problems.isEmpty()) {
      if (reports.size() < desiredReplicas && problems.isEmpty()) {
        problems.add(reports.size() + " of " + desiredReplicas + " pods ready and answering");
      }
      // No push without every pod; the nodes that hold the newest topology are still its members.
      long newest = reports.stream().mapToLong(NodeReport::epoch).max().orElse(0);
      var current = views.stream()
          .map(v -> newest > 0 && epochs.getOrDefault(v.pod(), -1L) == newest
              ? new MemberView(v.pod(), v.nodeId(), State.Member) : v)
          .toList();
      return new Result(current, newest > 0 ? Optional.of(newest) : Optional.empty(), false,
          Optional.of(String.join("; ", problems)));
    }
    if (nodes.stream().map(Topology.Node::id).distinct().count() != nodes.size()) {
      return new Result(views, Optional.empty(), false, Optional.of("two pods report the same node id"));
    }

    Topology target = TopologyPlanner.plan(nodes, replicationFactor, reports, 0);
    Optional<Long> agreed = agreedEpoch(reports);
    if (agreed.isPresent() && agreed.get() > 0 && inForce(target, reports)) {
      return new Result(asMembers(views), agreed, false, Optional.empty());
    }

    long epoch = Math.max(lastRecordedEpoch, reports.stream().mapToLong(NodeReport::epoch).max().orElse(0)) + 1;
    Topology next = target.withEpoch(epoch);
    TopologyPlanner.verifySafe(next, reports);
    var installed = new ArrayList<MemberView>();
    for (int i = 0; i < pods.size(); i++) {
      PodEndpoint pod = pods.get(i);
      MemberView view = views.get(i);
      try {
        long inForce = client.installTopology(pod.admin().orElseThrow(), token, next);
        if (inForce < epoch) {
          problems.add(pod.pod() + " kept epoch " + inForce + " instead of " + epoch);
          installed.add(view);
        } else {
          installed.add(new MemberView(view.pod(), view.nodeId(), State.Member));
        }
      } catch (AdminApiException e) {
        problems.add(e.getMessage());
        installed.add(new MemberView(view.pod(), view.nodeId(), State.Unreachable));
      }
    }
    return new Result(installed, Optional.of(epoch), true,
        problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems)));
  }

  /** The epoch every node reports, when they agree. */
  private static Optional<Long> agreedEpoch(List<NodeReport> reports) {
    var epochs = reports.stream().map(NodeReport::epoch).distinct().toList();
    return epochs.size() == 1 ? Optional.of(epochs.get(0)) : Optional.empty();
  }

  /** Whether every node already owns exactly the ranges the target gives it. */
  private static boolean inForce(Topology target, List<NodeReport> reports) {
    for (NodeReport report : reports) {
      List<int[]> want = target.rangesOf(report.nodeId());
      var have = new ArrayList<int[]>();
      for (SlotRange r : report.slots()) {
        // A node may split its ranges by sync state; compare merged ranges.
        if (!have.isEmpty() && have.get(have.size() - 1)[1] == r.start() - 1) {
          have.get(have.size() - 1)[1] = r.end();
        } else {
          have.add(new int[] {r.start(), r.end()});
        }
      }
      if (want.size() != have.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (want.get(i)[0] != have.get(i)[0] || want.get(i)[1] != have.get(i)[1]) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<MemberView> asMembers(List<MemberView> views) {
    return views.stream().map(v -> new MemberView(v.pod(), v.nodeId(), State.Member)).toList();
  }
}
