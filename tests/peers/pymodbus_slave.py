"""An independent Modbus RTU slave for Gatehouse's tests: Debian's pymodbus
(python3-pymodbus 3.0.0rc1; run with /usr/bin/python3), not our code.

    /usr/bin/python3 pymodbus_slave.py PORT BAUD UNIT[,UNIT...]

Each unit has 16 discrete inputs and 16 coils, addressed from 0. Commands on
stdin, one per line; each is answered on stdout:
    di UNIT INDEX 0|1   set a discrete input        -> "ok"
    coils UNIT          the coils, e.g. "coils 1 0100000000000000"
The first line on stdout is "ready" once the port is open.
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSequentialDataBlock
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncSerialServer

logging.basicConfig(level=logging.ERROR)


def main() -> None:
    port, baud, units = sys.argv[1], int(sys.argv[2]), [int(u) for u in sys.argv[3].split(",")]
    slaves = {
        u: ModbusSlaveContext(
            di=ModbusSequentialDataBlock(0, [0] * 16),
            co=ModbusSequentialDataBlock(0, [0] * 16),
            hr=ModbusSequentialDataBlock(0, [0] * 16),
            ir=ModbusSequentialDataBlock(0, [0] * 16),
            zero_mode=True,  # address 0 is the first input (the default shifts by one)
        )
        for u in units
    }
    context = ModbusServerContext(slaves=slaves, single=False)

    async def run() -> None:
        server = await StartAsyncSerialServer(
            context=context, framer=ModbusRtuFramer, port=port, baudrate=baud,
            ignore_missing_slaves=True, defer_start=True,
        )
        await server.start()
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = (await reader.readline()).decode().strip()
            if not line:
                break  # stdin closed: the test is done with us
            parts = line.split()
            if parts[0] == "di":
                slaves[int(parts[1])].setValues(2, int(parts[2]), [int(parts[3])])
                print("ok", flush=True)
            elif parts[0] == "coils":
                bits = slaves[int(parts[1])].getValues(1, 0, 16)
                print("coils", parts[1], "".join("1" if b else "0" for b in bits), flush=True)
            else:
                print("error unknown command", flush=True)
        await server.shutdown()

    asyncio.run(run())


if __name__ == "__main__":
    main()
