create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  username text unique not null
);
alter table public.profiles enable row level security;
