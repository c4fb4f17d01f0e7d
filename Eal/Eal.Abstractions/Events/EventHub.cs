using System.Threading.Channels;

namespace Eal.Events;

/// <summary>
/// Fans events out to subscribers, each with its own unbounded channel, so a slow reader never blocks the
/// publisher and never loses events. One hub per owner (EAL instance, ethdev registry): nothing is static.
/// </summary>
/// <typeparam name="T">The event type.</typeparam>
public sealed class EventHub<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly List<Channel<T>> _subscribers = [];
    private bool _disposed;

    /// <summary>Starts receiving every event published from now on. Dispose the subscription to stop.</summary>
    /// <exception cref="ObjectDisposedException">The hub has been disposed.</exception>
    public EventSubscription<T> Subscribe()
    {
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _subscribers.Add(channel);
        }
        return new EventSubscription<T>(this, channel);
    }

    /// <summary>Number of live subscriptions.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate) return _subscribers.Count;
        }
    }

    /// <summary>Delivers <paramref name="e"/> to every subscriber (nothing happens after dispose).</summary>
    public void Publish(T e)
    {
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Writer.TryWrite(e);
        }
    }

    internal void Unsubscribe(Channel<T> channel)
    {
        lock (_gate)
        {
            if (_subscribers.Remove(channel)) channel.Writer.TryComplete();
        }
    }

    /// <summary>Completes every subscriber's channel; later subscriptions are refused.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var s in _subscribers) s.Writer.TryComplete();
            _subscribers.Clear();
        }
    }
}

/// <summary>A subscriber's view of an <see cref="EventHub{T}"/>; completes when disposed or when the hub is disposed.</summary>
/// <typeparam name="T">The event type.</typeparam>
public sealed class EventSubscription<T> : IDisposable
{
    private readonly EventHub<T> _hub;
    private readonly Channel<T> _channel;

    internal EventSubscription(EventHub<T> hub, Channel<T> channel)
    {
        _hub = hub;
        _channel = channel;
    }

    /// <summary>The events, in the order they were published.</summary>
    public ChannelReader<T> Reader => _channel.Reader;

    /// <summary>Stops the subscription and completes <see cref="Reader"/>.</summary>
    public void Dispose() => _hub.Unsubscribe(_channel);
}
