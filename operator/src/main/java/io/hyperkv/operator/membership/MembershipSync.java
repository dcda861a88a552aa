package io.hyperkv.operator.membership;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One membership round for one cluster: ask every running pod for its report, plan the topology, and install it on
 * every pod when it is not in force yet.
 *
 * <p>Rules: a pod is asked as soon as it runs and has an address, ready or not: a data-plane node in cluster mode
 * answers its admin API before it is ready and stays unready until it holds a topology, so waiting for readiness
 * would wait forever. A topology is pushed only when every desired pod answered (a missing pod is a failover
 * question, not a reason to move its slots); a pushed epoch is higher than any epoch a node reported and than the
 * last one the operator recorded; a document failing {@link TopologyPlanner#verifySafe} is never sent. A node that
 * answers {@code conflict} (it holds that epoch with other content, e.g. from a concurrent writer) makes the round
 * send the same placement once more, to every pod, at an epoch above every epoch it saw; a second conflict is
 * reported as the round's problem. A pod that holds a topology but neither Kubernetes nor the node calls ready is
 * shown {@code Starting}: it is not serving; so is a pod that is not ready and does not answer yet (its process is
 * starting), while a ready pod that does not answer is {@code Unreachable}.
 */
public final class MembershipSync {

  private final AdminClient client;

  public MembershipSync(AdminClient client) {
    this.client = client;
  }

  /**
   * A pod as membership sees it: name, whether Kubernetes calls it ready (status only), its admin endpoint (present
   * once the pod runs and has an address: only then is it asked), and its peer address.
   */
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
    var serving = new ArrayList<Boolean>();
    var problems = new ArrayList<String>();
    var nodes = new ArrayList<Topology.Node>();
    var epochs = new java.util.HashMap<String, Long>();
    for (PodEndpoint pod : pods) {
      if (pod.admin().isEmpty()) {
        views.add(new MemberView(pod.pod(), Optional.empty(), State.Starting));
        serving.add(false);
        continue;
      }
      try {
        NodeReport report = client.node(pod.admin().get(), token);
        reports.add(report);
        nodes.add(new Topology.Node(report.nodeId(), pod.host(), pod.port(), pod.busPort()));
        views.add(new MemberView(pod.pod(), Optional.of(report.nodeId()), State.Joining));
        // Unready before its first topology is how a node joins; unready while holding one is not serving.
        serving.add(pod.ready() || report.ready() || report.epoch() == 0);
        epochs.put(pod.pod(), report.epoch());
      } catch (AdminApiException e) {
        // Not ready and not answering yet is a process still starting (no listener, or 503 while it opens its
        // store); only a pod Kubernetes calls ready and that does not answer is unreachable.
        views.add(new MemberView(pod.pod(), Optional.empty(), pod.ready() ? State.Unreachable : State.Starting));
        serving.add(false);
        problems.add(e.getMessage());
      }
    }
    if (reports.size() < desiredReplicas || !problems.isEmpty()) {
      if (reports.size() < desiredReplicas && problems.isEmpty()) {
        problems.add(reports.size() + " of " + desiredReplicas + " pods running and answering");
      }
      // No push without every pod; the nodes that hold the newest topology are still its members.
      long newest = reports.stream().mapToLong(NodeReport::epoch).max().orElse(0);
      var current = new ArrayList<MemberView>();
      for (int i = 0; i < views.size(); i++) {
        MemberView v = views.get(i);
        current.add(newest > 0 && epochs.getOrDefault(v.pod(), -1L) == newest ? member(v, serving.get(i)) : v);
      }
      return new Result(current, newest > 0 ? Optional.of(newest) : Optional.empty(), false,
          Optional.of(String.join("; ", problems)));
    }
    if (nodes.stream().map(Topology.Node::id).distinct().count() != nodes.size()) {
      return new Result(views, Optional.empty(), false, Optional.of("two pods report the same node id"));
    }

    Topology target = TopologyPlanner.plan(nodes, replicationFactor, reports, 0);
    Optional<Long> agreed = agreedEpoch(reports);
    if (agreed.isPresent() && agreed.get() > 0 && inForce(target, reports)) {
      var members = new ArrayList<MemberView>();
      for (int i = 0; i < views.size(); i++) {
        members.add(member(views.get(i), serving.get(i)));
      }
      return new Result(members, agreed, false, Optional.empty());
    }

    long epoch = Math.max(lastRecordedEpoch, reports.stream().mapToLong(NodeReport::epoch).max().orElse(0)) + 1;
    Topology next = target.withEpoch(epoch);
    TopologyPlanner.verifySafe(next, reports);
    Push push = push(pods, views, serving, token, next);
    if (push.conflictEpoch() >= 0) {
      // Someone else wrote this epoch in between: the same placement once more, above every epoch seen.
      long retry = Math.max(push.highestEpoch(), epoch) + 1;
      next = target.withEpoch(retry);
      TopologyPlanner.verifySafe(next, reports);
      push = push(pods, views, serving, token, next);
      epoch = retry;
    }
    return new Result(push.views(), Optional.of(epoch), true,
        push.problems().isEmpty() ? Optional.empty() : Optional.of(String.join("; ", push.problems())));
  }

  /** One push to every pod: per-pod views, problems, the highest epoch any node answered, a conflict's epoch or -1. */
  private record Push(List<MemberView> views, List<String> problems, long highestEpoch, long conflictEpoch) {
  }

  private Push push(List<PodEndpoint> pods, List<MemberView> views, List<Boolean> serving, String token,
      Topology next) {
    var installed = new ArrayList<MemberView>();
    var problems = new ArrayList<String>();
    long highest = 0;
    long conflict = -1;
    for (int i = 0; i < pods.size(); i++) {
      PodEndpoint pod = pods.get(i);
      MemberView view = views.get(i);
      try {
        TopologyAnswer answer = client.installTopology(pod.admin().orElseThrow(), token, next);
        highest = Math.max(highest, answer.epoch());
        if (answer.inForce(next.epoch())) {
          installed.add(member(view, serving.get(i)));
        } else {
          if (answer.outcome() == TopologyAnswer.Outcome.CONFLICT) {
            conflict = answer.epoch();
          }
          problems.add(pod.pod() + " kept epoch " + answer.epoch() + " instead of " + next.epoch() + " ("
              + answer.outcome().wireName() + ")");
          installed.add(view);
        }
      } catch (AdminApiException e) {
        problems.add(e.getMessage());
        installed.add(new MemberView(view.pod(), view.nodeId(), State.Unreachable));
      }
    }
    return new Push(installed, problems, highest, conflict);
  }

  /** A pod holding the topology in force: a member when it serves, otherwise starting (again). */
  private static MemberView member(MemberView view, boolean serving) {
    return new MemberView(view.pod(), view.nodeId(), serving ? State.Member : State.Starting);
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
}
