using System.Threading.Channels;

namespace Eal.Hotplug;

/// <summary>What happened to a device.</summary>
public enum DeviceEventKind
{
    /// <summary>A device was attached and probed at run time.</summary>
    Attached,
    /// <summary>A device was detached and everything it held released.</summary>
    Detached,
}

/// <summary>A hotplug event.</summary>
/// <param name="Kind">Attached or detached.</param>
/// <param name="Bus">The bus name.</param>
/// <param name="DeviceName">The device name.</param>
/// <param name="Driver">The driver that took (or released) the device.</param>
public sealed record DeviceEvent(DeviceEventKind Kind, string Bus, string DeviceName, string? Driver);

/// <summary>
/// Fans device events out to subscribers, each with its own unbounded channel so a slow reader never
/// blocks hotplug and never loses events.
/// </summary>
public sealed class DeviceEventHub : IDisposable
{
    private readonly object _gate = new();
    private readonly List<Channel<DeviceEvent>> _subscribers = [];
    private bool _disposed;

    /// <summary>Starts receiving every event published from now on. Dispose the subscription to stop.</summary>
    public DeviceEventSubscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<DeviceEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _subscribers.Add(channel);
        }
        return new DeviceEventSubscription(this, channel);
    }

    /// <summary>Delivers <paramref name="e"/> to every subscriber.</summary>
    public void Publish(DeviceEvent e)
    {
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Writer.TryWrite(e);
        }
    }

    internal void Unsubscribe(Channel<DeviceEvent> channel)
    {
        lock (_gate)
        {
            if (_subscribers.Remove(channel)) channel.Writer.TryComplete();
        }
    }

    /// <summary>Completes every subscriber's channel.</summary>
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

/// <summary>A subscriber's view of device events; completes when disposed or when EAL shuts down.</summary>
public sealed class DeviceEventSubscription : IDisposable
{
    private readonly DeviceEventHub _hub;
    private readonly Channel<DeviceEvent> _channel;

    internal DeviceEventSubscription(DeviceEventHub hub, Channel<DeviceEvent> channel)
    {
        _hub = hub;
        _channel = channel;
    }

    /// <summary>The events, in the order they happened.</summary>
    public ChannelReader<DeviceEvent> Reader => _channel.Reader;

    /// <summary>Stops the subscription and completes <see cref="Reader"/>.</summary>
    public void Dispose() => _hub.Unsubscribe(_channel);
}
