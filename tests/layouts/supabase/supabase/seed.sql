insert into public.profiles (username) values ('seed-data-not-loaded');
